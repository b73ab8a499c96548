/**
 * npm run typecheck: the project with tsc, then every lab twice (starter and solution), each
 * against its tests. A lab's tests import `../src/...`; a generated tsconfig maps src/ onto
 * starter/ or solution/ with rootDirs, the way the runner lays them out.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { listLabIds } from '../src/labs/list-labs.ts';

const root = process.cwd();
const cacheDir = join(root, 'node_modules', '.cache', 'data-in-microservices', 'typecheck');
const tsc = join(root, 'node_modules', '.bin', 'tsc');

function run(project: string, label: string): boolean {
  const result = spawnSync(tsc, ['--noEmit', '-p', project], { encoding: 'utf8' });
  const ok = result.status === 0;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${label}`);
  if (!ok) console.log(`${result.stdout}${result.stderr}`);
  return ok;
}

function labProject(labsDir: string, labId: string, variant: 'starter' | 'solution'): string {
  const lab = join(labsDir, labId);
  const config = {
    extends: join(root, 'tsconfig.json'),
    compilerOptions: { rootDirs: [join(lab, variant), join(lab, 'src')] },
    include: [join(lab, variant, '**/*.ts'), join(lab, 'tests', '**/*.ts'), join(root, 'src', 'labkit', '**/*.ts')],
    exclude: [],
  };
  mkdirSync(cacheDir, { recursive: true });
  const prefix = labsDir === join(root, 'labs') ? '' : `${relative(root, labsDir).replaceAll(sep, '-')}-`;
  const path = join(cacheDir, `${prefix}${labId}-${variant}.json`);
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

let ok = run(join(root, 'tsconfig.json'), 'project (tsconfig.json)');
// templates/ holds new-lab's skeleton, which is a lab folder too: it must compile as generated.
for (const labsDir of [join(root, 'labs'), join(root, 'tests', 'fixtures', 'labs'), join(root, 'templates')]) {
  for (const labId of listLabIds(labsDir)) {
    for (const variant of ['starter', 'solution'] as const) {
      ok = run(labProject(labsDir, labId, variant), `lab ${labId} (${variant} with its tests)`) && ok;
    }
  }
}
process.exitCode = ok ? 0 : 1;
