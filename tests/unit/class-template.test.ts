/**
 * The class template's workflows (templates/class/.github/workflows/) parse, and every course
 * command they run exists: the npm scripts, and each flag and reporter the CLI accepts (read
 * from the command's own --help, so a renamed flag breaks this test, not a class's CI).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import yaml from 'js-yaml';
import { listLabIds } from '../../src/labs/list-labs.ts';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  id?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  strategy?: { matrix?: Record<string, unknown> };
  steps: Step[];
}
interface Workflow {
  name: string;
  on: unknown;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const DIR = 'templates/class/.github/workflows';
const load = (name: string) => yaml.load(readFileSync(`${DIR}/${name}`, 'utf8')) as Workflow;
const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
const help: Record<string, string> = {};
function usageOf(script: string): string {
  const module = scripts[script]!.replace(/^node /, '');
  help[script] ??= spawnSync(process.execPath, [module, '--help'], { encoding: 'utf8' }).stdout;
  return help[script]!;
}

/** Shell words, keeping an Actions expression (`${{ matrix.shard }}/2`) in one word. */
function words(text: string): string[] {
  return text.match(/(?:\$\{\{[^}]*\}\}|[^\s$]|\$(?!\{\{))+/g) ?? [];
}

/** Every `npm run X -- args` in the workflow's run steps, with its arguments (line continuations joined). */
function npmRuns(workflow: Workflow): Array<{ script: string; args: string[] }> {
  const runs = Object.values(workflow.jobs).flatMap((job) => job.steps.map((s) => s.run ?? ''));
  return runs.flatMap((text) =>
    [...text.replace(/\\\n/g, ' ').matchAll(/npm run ([\w:-]+)(?: -- ([^\n]*))?/g)].map((m) => ({ script: m[1]!, args: words(m[2] ?? '') })),
  );
}

function checkCommands(workflow: Workflow): void {
  const runs = npmRuns(workflow);
  assert.ok(runs.length > 0, `${workflow.name}: runs no course command`);
  for (const { script, args } of runs) {
    assert.ok(scripts[script], `${workflow.name}: "npm run ${script}" is not a script in package.json`);
    const usage = usageOf(script);
    for (const flag of args.filter((a) => a.startsWith('--'))) {
      assert.ok(new RegExp(`(^|\\s|\\[)${flag}(\\s|\\]|$)`, 'm').test(usage), `${workflow.name}: npm run ${script} has no option ${flag}; its usage:\n${usage}`);
    }
  }
  for (const step of Object.values(workflow.jobs).flatMap((j) => j.steps)) {
    if (step.uses) assert.match(step.uses, /^[\w-]+\/[\w-]+@v\d+$/, `${workflow.name}: pin actions to a major version: ${step.uses}`);
  }
}

test('class template: grade.yml grades the learner\'s work against a pinned course with the three reporters', () => {
  const workflow = load('grade.yml');
  checkCommands(workflow);
  const steps = workflow.jobs.grade!.steps;
  const grade = npmRuns(workflow).find((r) => r.script === 'grade')!;
  const reporters = grade.args[grade.args.indexOf('--reporter') + 1]!;
  assert.equal(reporters, 'pretty,github,classroom');
  for (const name of reporters.split(',')) assert.match(usageOf('grade'), new RegExp(`^\\s+${name}\\s`, 'm'), `the grader has no reporter ${name}`);
  assert.ok(listLabIds().includes(workflow.env!.LAB!), `LAB=${workflow.env!.LAB} is a lab of the course`);
  assert.match(workflow.env!.COURSE_REF!, /\S/, 'the course is pinned');
  const course = steps.find((s) => s.with?.repository);
  assert.equal(course?.with?.ref, '${{ env.COURSE_REF }}', 'the course is checked out at the pinned ref');
  const report = steps.find((s) => s.uses?.startsWith('classroom-resources/autograding-grading-reporter'));
  assert.equal(report?.with?.runners, steps.find((s) => s.run?.includes('npm run grade'))?.id, 'the Classroom reporter reads the grade step');
  assert.match(readFileSync(`${DIR}/grade.yml`, 'utf8'), /SELF-ASSESSMENT/);
});

test('class template: gradebook.yml grades shards in a matrix, then merges them into one gradebook', () => {
  const workflow = load('gradebook.yml');
  checkCommands(workflow);
  const grade = workflow.jobs.grade!;
  assert.ok(Array.isArray(grade.strategy?.matrix?.shard), 'a matrix of shards');
  const runs = npmRuns(workflow);
  const shardRun = runs.find((r) => r.script === 'gradebook' && r.args.includes('--shard'))!;
  assert.equal(shardRun.args[shardRun.args.indexOf('--shard') + 1], '${{ matrix.shard }}/${{ strategy.job-total }}');
  assert.ok(grade.steps.some((s) => s.uses?.startsWith('actions/upload-artifact') && String(s.with?.name).includes('${{ matrix.shard }}')), 'each shard uploads its own artifact');
  const merge = workflow.jobs.merge!;
  assert.equal(merge.needs, 'grade');
  assert.ok(runs.some((r) => r.script === 'gradebook' && r.args[0] === 'merge'), 'the merge job runs gradebook merge');
  assert.ok(merge.steps.some((s) => s.uses?.startsWith('actions/download-artifact')) && merge.steps.some((s) => s.uses?.startsWith('actions/upload-artifact') && s.with?.name === 'gradebook'));
});
