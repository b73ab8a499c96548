/**
 * npm run gradebook -- DIR --lab ID [--lab ID ...] --out OUTDIR [--jobs N] [--shard K/N] [--roster FILE] [--labs DIR]
 * npm run gradebook -- merge OUTDIR1 OUTDIR2 ... --out OUTDIR
 *
 * Grades a class folder (one folder or zip per learner) into OUTDIR/gradebook.json,
 * OUTDIR/grades.csv and OUTDIR/summary.html; or merges the outputs of several shards into
 * the same three files. The formats are pure functions in src/gradebook/; the I/O is here.
 *
 * Exit codes (src/reports/exit-codes.ts): passed when the gradebook is written (learners whose
 * work could not be graded have a row saying why); couldNotGrade for bad usage, an unknown or
 * invalid lab, an unreadable class folder or roster, a refused merge. Never belowPassMark.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { LabBundle } from '../labs/bundle.ts';
import { loadLab } from '../labs/load-lab.ts';
import { gradesCsv } from '../gradebook/csv.ts';
import { gradeClass } from '../gradebook/grade-class.ts';
import { mergeGradebooks, MergeRefused, parseGradebook } from '../gradebook/merge.ts';
import type { Gradebook } from '../gradebook/model.ts';
import { parseShard } from '../gradebook/shard.ts';
import { summaryHtml } from '../gradebook/summary-html.ts';
import { EXIT } from '../reports/exit-codes.ts';

const USAGE = `Usage: npm run gradebook -- DIR --lab ID [--lab ID ...] --out OUTDIR [--jobs N] [--shard K/N]
                           [--roster FILE] [--labs DIR]
       npm run gradebook -- merge OUTDIR1 OUTDIR2 ... --out OUTDIR

  DIR             the class folder: one entry per learner
                    one lab:    DIR/<learner>/src/... or DIR/<learner>.zip
                    any labs:   DIR/<learner>/<lab-id>/src/... or DIR/<learner>/<lab-id>.zip
  --lab ID        a lab to grade; repeat it or separate ids with commas
  --out OUTDIR    where gradebook.json, grades.csv and summary.html are written
  --jobs N        submissions graded at once (default: the number of CPUs, here ${availableParallelism()})
  --shard K/N     grade only shard K of N (learners sorted by id, every Nth from the Kth),
                  for a CI matrix; combine the shards' OUTDIRs with "merge"
  --roster FILE   the class list, one learner id per line: those without a submission are listed
  --labs DIR      where the lab folders are (default: labs/)

  merge           combine shard outputs into one gradebook; refuses shards of different
                  course or lab versions, or that share a learner

Exit codes: 0 done (a submission that cannot be graded gets a row saying why), 2 bad usage,
an unknown lab, or a refused merge.`;

function fail(message: string): number {
  console.error(message);
  return EXIT.couldNotGrade;
}

function course(): { name: string; version: string } {
  const manifest = JSON.parse(readFileSync(join(process.env.COURSE_ROOT ?? process.cwd(), 'package.json'), 'utf8')) as { name: string; version: string };
  return { name: manifest.name, version: manifest.version };
}

function writeOutputs(out: string, book: Gradebook): void {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'gradebook.json'), `${JSON.stringify(book, null, 2)}\n`);
  writeFileSync(join(out, 'grades.csv'), gradesCsv(book));
  writeFileSync(join(out, 'summary.html'), summaryHtml(book));
}

async function grade(values: Record<string, unknown>, positionals: string[]): Promise<number> {
  const [dir, ...extra] = positionals;
  if (!dir || extra.length > 0) return fail(USAGE);
  const labIds = [...new Set(((values.lab as string[] | undefined) ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean))];
  if (labIds.length === 0) return fail(`--lab is required: name the lab(s) to grade.\n\n${USAGE}`);
  const out = values.out as string | undefined;
  if (!out) return fail(`--out is required: the folder for gradebook.json, grades.csv and summary.html.\n\n${USAGE}`);

  let jobs = availableParallelism();
  if (values.jobs !== undefined) {
    jobs = /^\d+$/.test(String(values.jobs)) ? Number(values.jobs) : 0;
    if (jobs < 1) return fail(`--jobs must be a whole number, 1 or more; got "${String(values.jobs)}".`);
  }
  let shard = null;
  if (values.shard !== undefined) {
    const parsed = parseShard(String(values.shard));
    if (typeof parsed === 'string') return fail(parsed);
    shard = parsed;
  }
  let roster: string | undefined;
  if (values.roster !== undefined) {
    if (!existsSync(String(values.roster))) return fail(`The roster ${String(values.roster)} does not exist.`);
    roster = readFileSync(String(values.roster), 'utf8');
  }
  if (!existsSync(dir)) return fail(`The class folder ${dir} does not exist.`);

  let bundles: LabBundle[];
  try {
    bundles = labIds.map((id) => loadLab(id, { root: values.labs as string | undefined }));
  } catch (error) {
    return fail((error as Error).message);
  }

  const started = performance.now();
  const book = await gradeClass({
    dir,
    bundles,
    jobs,
    shard,
    roster,
    course: course(),
    labsRoot: values.labs as string | undefined,
    onNote: (note) => console.error(`note: ${note}`),
    onGraded: (done, total, learner, labId, entry) => {
      const what = entry.state === 'graded' ? `${entry.result.score}/${entry.result.maxScore}` : entry.state === 'error' ? `could not be graded: ${entry.error.split('\n')[0]}` : 'not submitted';
      console.error(`[${done}/${total}] ${JSON.stringify(learner)} ${labId}: ${what}`);
    },
  });
  try {
    writeOutputs(out, book);
  } catch (error) {
    return fail(`Could not write the gradebook: ${(error as Error).message}`);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`Graded ${book.learners.length} learner(s) × ${bundles.length} lab(s)${shard ? ` (shard ${shard.index}/${shard.count})` : ''} in ${seconds} s with ${jobs} job(s): ${join(out, 'grades.csv')}, ${join(out, 'summary.html')}`);
  return EXIT.passed;
}

function merge(values: Record<string, unknown>, dirs: string[]): number {
  const out = values.out as string | undefined;
  if (dirs.length === 0 || !out) return fail(`merge needs the shard folders and --out OUTDIR.\n\n${USAGE}`);
  let book: Gradebook;
  try {
    const parts = dirs.map((from) => {
      const file = join(from, 'gradebook.json');
      if (!existsSync(file)) throw new MergeRefused(`${from} has no gradebook.json: is it a gradebook's --out folder?`);
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(file, 'utf8'));
      } catch (error) {
        throw new MergeRefused(`${file} is not valid JSON (${(error as Error).message}).`);
      }
      return { from, book: parseGradebook(from, json) };
    });
    book = mergeGradebooks(parts);
  } catch (error) {
    return fail(`Cannot merge: ${(error as Error).message}`);
  }
  if (book.missingShards?.length) console.error(`warning: shard(s) ${book.missingShards.join(', ')} of ${book.mergedFrom![0]!.count} were not given; their learners are missing from the gradebook.`);
  try {
    writeOutputs(out, book);
  } catch (error) {
    return fail(`Could not write the gradebook: ${(error as Error).message}`);
  }
  console.log(`Merged ${dirs.length} gradebook(s), ${book.learners.length} learner(s): ${join(out, 'grades.csv')}, ${join(out, 'summary.html')}`);
  return EXIT.passed;
}

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        lab: { type: 'string', multiple: true },
        out: { type: 'string' },
        jobs: { type: 'string' },
        shard: { type: 'string' },
        roster: { type: 'string' },
        labs: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return fail(`${(error as Error).message}\n\n${USAGE}`);
  }
  if (args.values.help) {
    console.log(USAGE);
    return EXIT.passed;
  }
  const [first, ...rest] = args.positionals;
  if (first === 'merge') {
    const stray = ['lab', 'jobs', 'shard', 'roster', 'labs'].find((name) => (args.values as Record<string, unknown>)[name] !== undefined);
    if (stray) return fail(`--${stray} is for grading, not for merge.\n\n${USAGE}`);
    return merge(args.values, rest);
  }
  return grade(args.values, args.positionals);
}

process.exitCode = await main(process.argv.slice(2));
