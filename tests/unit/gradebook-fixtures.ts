/** Small gradebooks for the gradebook's unit tests: learner -> lab -> score, 'missing' or 'error'. */
import { buildLabResult } from '../../src/schemas/lab-result.ts';
import { GRADEBOOK_VERSION, type Gradebook, type LabEntry, type Shard } from '../../src/gradebook/model.ts';

type Cell = number | 'missing' | 'error';

/** Each lab has two tests of 50 points: "first" passes from 50 points up, "second" at 100. */
export function entryOf(labId: string, cell: Cell): LabEntry {
  if (cell === 'missing') return { state: 'missing', notes: [] };
  if (cell === 'error') return { state: 'error', source: `x/${labId}`, notes: [], error: 'it broke' };
  const plan = [
    { id: 'first', name: 'the first test', task: 1, points: 50, timeoutMs: 1000 },
    { id: 'second', name: 'the <second> test', task: 2, points: 50, timeoutMs: 1000 },
  ];
  const outcome = (pass: boolean) => (pass ? { status: 'pass' as const, message: '', durationMs: 1 } : { status: 'fail' as const, message: 'expected <1> to be 2', durationMs: 1 });
  const outcomes = new Map([
    ['first', outcome(cell >= 50)],
    ['second', outcome(cell >= 100)],
  ]);
  const result = buildLabResult({ labId, labVersion: 1, runtime: 'node', plan, outcomes, durationMs: 2 });
  return { state: 'graded', source: `x/${labId}`, notes: [], result: { ...result, score: cell } };
}

export function bookOf(learners: Record<string, Record<string, Cell>>, shard: Shard | null = null, labVersion = 1): Gradebook {
  const labIds = [...new Set(Object.values(learners).flatMap((labs) => Object.keys(labs)))];
  return {
    version: GRADEBOOK_VERSION,
    course: { name: 'course', version: '1.0.0' },
    labs: labIds.map((id) => ({ id, title: `Lab ${id}`, version: labVersion, maxScore: 100, testsHash: 'abc123' })),
    shard,
    generatedAt: '2026-11-26T12:00:00.000Z',
    learners: Object.keys(learners)
      .sort()
      .map((id) => ({ id, labs: Object.fromEntries(Object.entries(learners[id]!).map(([lab, cell]) => [lab, entryOf(lab, cell)])) })),
  };
}
