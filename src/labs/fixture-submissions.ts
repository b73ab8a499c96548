/**
 * The submissions the course keeps for each lab to check its tests are fair and strong, under
 * tests/fixtures/lab-submissions/<lab-id>/:
 *
 *   correct/<name>/src/...     a correct solution written differently from ours: full marks
 *   mistakes/<name>/src/...    a plausible learner mistake that breaks one rule of the README,
 *   mistakes/<name>/mistake.json   { rule: <row of rules.md>, mistake: "...", fails: [test ids] }
 *
 * A test grades them all (tests/labs/lab-submissions.test.ts), and `npm run mutate` grades the
 * correct ones before it starts. Node only.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const FIXTURE_SUBMISSIONS_DIR = join('tests', 'fixtures', 'lab-submissions');

const mistakeSchema = z.strictObject({
  rule: z.number().int().positive(),
  mistake: z.string().min(1),
  // A mistake that no test fails is a gap in the lab's tests, which a fixture must not hide.
  fails: z.array(z.string().min(1)).min(1, 'names no test: list the ids of the tests this mistake fails; if none fails it, the lab needs a test for its rule'),
});
export type Mistake = z.infer<typeof mistakeSchema>;

export type FixtureSubmission = { kind: 'correct'; name: string; dir: string } | { kind: 'mistake'; name: string; dir: string; mistake: Mistake };

export function fixtureSubmissions(labId: string, root = process.cwd()): FixtureSubmission[] {
  const base = join(root, FIXTURE_SUBMISSIONS_DIR, labId);
  const folders = (kind: string) => (existsSync(join(base, kind)) ? readdirSync(join(base, kind), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort() : []);
  const correct = folders('correct').map((name): FixtureSubmission => ({ kind: 'correct', name, dir: join(base, 'correct', name) }));
  const mistakes = folders('mistakes').map((name): FixtureSubmission => {
    const dir = join(base, 'mistakes', name);
    const file = join(dir, 'mistake.json');
    const parsed = mistakeSchema.safeParse(existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined);
    if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'} ${i.message}`).join('; ')}`);
    return { kind: 'mistake', name, dir, mistake: parsed.data };
  });
  return [...correct, ...mistakes];
}
