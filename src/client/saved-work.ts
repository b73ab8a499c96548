/**
 * The learner's edits, kept in IndexedDB per lab, so a reload or a visit a week later finds
 * them as they were. Nothing here throws away learner text: a save that cannot be read is
 * set aside under its own key, and "Reset to starter" keeps a backup that can be restored.
 */
import { createStore, del, get, set, type UseStore } from 'idb-keyval';
import type { FileMap } from '../labs/bundle.ts';

export interface SavedWork {
  version: 1;
  labId: string;
  /** The lab version the files were written against. */
  labVersion: number;
  files: FileMap;
  savedAt: number;
}

export type LoadedWork =
  | { kind: 'none' }
  | { kind: 'saved'; work: SavedWork }
  /** A save was found but could not be read; it was kept under `keptAs`. */
  | { kind: 'unreadable'; keptAs: string };

let store: UseStore | undefined;
const db = () => (store ??= createStore('data-in-microservices', 'saved-work'));

const workKey = (labId: string) => `work:${labId}`;
const backupKey = (labId: string) => `backup:${labId}`;

export function isSavedWork(value: unknown, labId: string): value is SavedWork {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<SavedWork>;
  return (
    v.version === 1 &&
    v.labId === labId &&
    typeof v.labVersion === 'number' &&
    typeof v.savedAt === 'number' &&
    typeof v.files === 'object' &&
    v.files !== null &&
    Object.values(v.files).every((text) => typeof text === 'string')
  );
}

export async function loadWork(labId: string): Promise<LoadedWork> {
  const value: unknown = await get(workKey(labId), db());
  if (value === undefined) return { kind: 'none' };
  if (isSavedWork(value, labId)) return { kind: 'saved', work: value };
  const keptAs = `unreadable:${labId}:${Date.now()}`;
  await set(keptAs, value, db());
  await del(workKey(labId), db());
  return { kind: 'unreadable', keptAs };
}

export async function saveWork(labId: string, labVersion: number, files: FileMap): Promise<void> {
  const work: SavedWork = { version: 1, labId, labVersion, files, savedAt: Date.now() };
  await set(workKey(labId), work, db());
}

/** Keeps the current work as the backup that "Restore my work" brings back. */
export async function backUpWork(labId: string, labVersion: number, files: FileMap): Promise<void> {
  const work: SavedWork = { version: 1, labId, labVersion, files, savedAt: Date.now() };
  await set(backupKey(labId), work, db());
}

export async function loadBackup(labId: string): Promise<SavedWork | undefined> {
  const value: unknown = await get(backupKey(labId), db());
  return isSavedWork(value, labId) ? value : undefined;
}
