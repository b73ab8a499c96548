/**
 * npm test: every check of the project. Builds the site first (the browser tests need it),
 * then runs all test files under node:test. Ends with `N passed, N failed`.
 *
 *   npm test                 everything
 *   npm test -- tests/unit   only the files or folders named
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';

const root = process.cwd();
const selected = process.argv.slice(2);
const targets = selected.length > 0 ? selected : ['tests'];
const needsSite = targets.some((t) => t === 'tests' || t.startsWith('tests/e2e'));

if (needsSite && process.env.SKIP_BUILD !== '1') {
  process.stdout.write('Building the site for the browser tests...\n');
  const build = spawnSync('npx', ['astro', 'build'], { cwd: root, encoding: 'utf8', env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' } });
  // Kept for tests/e2e/build-output.test.ts, which fails on any warning in it.
  const buildLog = join(root, 'node_modules/.cache/data-in-microservices/site-build.log');
  mkdirSync(dirname(buildLog), { recursive: true });
  writeFileSync(buildLog, `${build.stdout}${build.stderr}`);
  if (build.status !== 0 || !existsSync('dist/index.html')) {
    process.stdout.write(`${build.stdout}${build.stderr}\n✖ astro build failed\n\n0 passed, 1 failed\n`);
    process.exit(1);
  }
  process.stdout.write('✔ site built\n');
}

/** Test files under the targets; fixtures hold labs' own tests, which only the grader runs. */
function testFiles(target: string): string[] {
  if (target.endsWith('.ts')) return [target];
  return readdirSync(target, { recursive: true, encoding: 'utf8' })
    .map((rel) => join(target, rel))
    .filter((path) => path.endsWith('.test.ts') && !path.split(sep).includes('fixtures'))
    .sort();
}
const files = targets.flatMap(testFiles);
const result = spawnSync(
  process.execPath,
  // A test that hangs fails by name after 15 minutes, rather than stalling CI until its own
  // 90-minute limit with nothing reported. The slowest test takes about a minute.
  ['--test', '--test-timeout=900000', '--test-reporter=./scripts/test-reporter.ts', '--test-reporter-destination=stdout', ...files],
  { cwd: root, stdio: 'inherit', env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' } },
);
process.exit(result.status ?? 1);
