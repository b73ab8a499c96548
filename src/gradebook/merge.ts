/**
 * Merges shard gradebooks into one. Refuses, saying which, when the shards were graded by
 * different course or lab versions (their scores would not be comparable) or when two hold the
 * same learner (a learner graded twice, perhaps differently). Pure: the CLI reads and writes.
 */
import { gradebook, GRADEBOOK_VERSION, type Gradebook } from './model.ts';

export interface NamedGradebook {
  /** Where it came from (its folder), to name it in a refusal. */
  from: string;
  book: Gradebook;
}

export class MergeRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MergeRefused';
  }
}

/** Parses and checks a gradebook.json's content; throws with the file's name on anything wrong. */
export function parseGradebook(from: string, json: unknown): Gradebook {
  const parsed = gradebook.safeParse(json);
  if (parsed.success) return parsed.data;
  const version = (json as { version?: unknown } | null)?.version;
  if (version !== GRADEBOOK_VERSION) throw new MergeRefused(`${from} is a gradebook of format version ${String(version)}; this command reads version ${GRADEBOOK_VERSION}.`);
  const issue = parsed.error.issues[0]!;
  throw new MergeRefused(`${from} is not a valid gradebook: ${issue.path.join('.') || '(top)'}: ${issue.message}.`);
}

const labKey = (book: Gradebook) => JSON.stringify(book.labs.map((l) => [l.id, l.version, l.testsHash]));

export function mergeGradebooks(parts: readonly NamedGradebook[], now = new Date()): Gradebook {
  if (parts.length === 0) throw new MergeRefused('Nothing to merge: name at least one gradebook folder.');
  const [first] = parts;
  for (const part of parts.slice(1)) {
    const a = first!.book;
    const b = part.book;
    if (a.course.name !== b.course.name || a.course.version !== b.course.version) {
      throw new MergeRefused(`${first!.from} was graded by ${a.course.name} ${a.course.version} but ${part.from} by ${b.course.name} ${b.course.version}: grade every shard with the same course version.`);
    }
    if (labKey(a) !== labKey(b)) {
      const describe = (book: Gradebook) => book.labs.map((l) => `${l.id} v${l.version} (tests ${l.testsHash.slice(0, 8)})`).join(', ');
      throw new MergeRefused(`${first!.from} and ${part.from} graded different labs or lab versions: ${describe(a)} vs ${describe(b)}. Grade every shard with the same --lab list and course checkout.`);
    }
  }
  const owner = new Map<string, string>();
  for (const part of parts) {
    for (const learner of part.book.learners) {
      const other = owner.get(learner.id);
      if (other !== undefined) throw new MergeRefused(`The learner ${JSON.stringify(learner.id)} is in both ${other} and ${part.from}: the shards overlap (the same shard twice, or shards of different --shard N or class folders).`);
      owner.set(learner.id, part.from);
    }
  }
  const shards = parts.map((p) => p.book.shard);
  const counts = new Set(shards.map((s) => s?.count));
  const missingShards: number[] = [];
  if (counts.size === 1 && shards[0]) {
    const seen = new Set(shards.map((s) => s!.index));
    for (let k = 1; k <= shards[0].count; k++) if (!seen.has(k)) missingShards.push(k);
  }
  const labs = first!.book.labs.map((lab, i) => ({ ...lab, maxScore: Math.max(...parts.map((p) => p.book.labs[i]!.maxScore)) }));
  return {
    version: GRADEBOOK_VERSION,
    course: first!.book.course,
    labs,
    shard: null,
    mergedFrom: shards,
    ...(missingShards.length > 0 ? { missingShards } : {}),
    generatedAt: now.toISOString(),
    learners: parts.flatMap((p) => p.book.learners).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  };
}
