/**
 * Database engines for Node (the grader's child process). PGlite starts from a dumped data
 * directory made once per PGlite version and cached, because initdb costs ~2.5 s. Node loads
 * the plain tar (40 MB): gunzipping the 4.5 MB gzipped one costs each child ~0.35 s more. The
 * site serves the gzipped one to browsers, where the download is what counts.
 */
import { PGlite } from '@electric-sql/pglite';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import initSqlJs, { type SqlJsStatic } from 'sql.js';
import { lazyEngines, type Engines } from '../../labkit/db/engines.ts';

const require = createRequire(import.meta.url);

function pgliteVersion(): string {
  // The package does not export its package.json; its entry point sits in dist/.
  const entry = require.resolve('@electric-sql/pglite');
  const manifest = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

export type SnapshotFormat = 'tar' | 'gzip';

/** The cached snapshot's path; COURSE_CACHE_DIR moves the cache (default node_modules/.cache). */
export function pgSnapshotPath(format: SnapshotFormat = 'tar'): string {
  const dir = process.env.COURSE_CACHE_DIR ?? join(process.cwd(), 'node_modules', '.cache', 'data-in-microservices');
  return join(dir, `pglite-${pgliteVersion()}-${SNAPSHOT_SETTINGS_VERSION}.tar${format === 'gzip' ? '.gz' : ''}`);
}

/** Makes the snapshot (both formats) if it is missing, and returns the path of one. Safe when several processes race. */
export async function ensurePgSnapshot(format: SnapshotFormat = 'tar'): Promise<string> {
  const path = pgSnapshotPath(format);
  if (existsSync(path)) return path;
  const tar = await createPgSnapshot();
  mkdirSync(dirname(path), { recursive: true });
  // The gzipped one first: a process that finds the tar may count on both being there.
  for (const [bytes, target] of [[gzipSync(tar, { level: 9 }), pgSnapshotPath('gzip')], [tar, pgSnapshotPath('tar')]] as const) {
    const temp = `${target}.${process.pid}.tmp`;
    writeFileSync(temp, bytes);
    renameSync(temp, target);
  }
  return path;
}

/**
 * Lab databases are thrown away after every test, so durability buys nothing and costs a lot:
 * with these settings DDL, commits and the reset between tests run about 2.4x faster in PGlite
 * (measured by `npm run bench`'s predecessor, 40 rounds of create, 10 commits, reset).
 * shared_buffers: PostgreSQL's default of 128 MB is set up (zeroed) at every start, which cost
 * each new instance ~0.35 s; a lab's data fits in 16 MB many times over, and a page evicted
 * from them only moves to PGlite's file system, which is memory too.
 * Bump the version when they change, so cached snapshots are remade.
 */
const SNAPSHOT_SETTINGS = ['fsync = off', 'synchronous_commit = off', 'full_page_writes = off', "shared_buffers = '16MB'"];
const SNAPSHOT_SETTINGS_VERSION = 'fast-2';

/** Runs initdb in a new PGlite, applies the settings above, and dumps its data directory as a plain tar (~40 MB). */
export async function createPgSnapshot(): Promise<Uint8Array> {
  const pglite = await PGlite.create();
  try {
    // ALTER SYSTEM writes postgresql.auto.conf into the data directory, so the dump keeps them.
    for (const setting of SNAPSHOT_SETTINGS) await pglite.exec(`ALTER SYSTEM SET ${setting}`);
    const dump = await pglite.dumpDataDir('none');
    return new Uint8Array(await dump.arrayBuffer());
  } finally {
    await pglite.close();
  }
}

/**
 * Engines that start lazily, once each, and stay up for the life of the process; PGlite is
 * started again from the snapshot (read once, kept in memory) when a test left it unclean.
 */
export function nodeEngines(snapshotPath: string): Engines {
  let snapshot: Blob | undefined;
  return lazyEngines(() => {
    snapshot ??= new Blob([readFileSync(snapshotPath)]);
    return PGlite.create({ loadDataDir: snapshot });
  }, () => initSqlJs());
}
