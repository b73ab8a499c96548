/**
 * Bundles the Node runner for the full environment: a WebContainer runs whatever Node version
 * StackBlitz ships, which may not run TypeScript, so the runner goes in as plain JavaScript.
 * Everything is bundled except the packages that carry WebAssembly and data files (PGlite,
 * sql.js), which npm installs at the versions this course was tested with.
 *
 * Node only; the site calls it at build time (src/pages/webcontainer/runtime.json.ts).
 */
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import type { ContainerRuntime } from './project-tree.ts';


/** Packages installed in the container rather than bundled, because they load files beside their code. */
const INSTALLED_PACKAGES = ['@electric-sql/pglite', 'sql.js'];

/** Where the runner's files go in the project. */
const RUNTIME_DIR = '.labkit';

/** Entry name (becomes `<name>.mjs`) -> the module it is built from, under src/runner/. */
const ENTRIES = {
  'run-tests': 'webcontainer/project/run-tests.ts',
  start: 'webcontainer/project/start.ts',
  child: 'node/child.ts',
};

/** The installed version of a package, read from its package.json beside its entry point. */
function installedVersion(root: string, name: string): string {
  let dir = dirname(createRequire(join(root, 'package.json')).resolve(name));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version: string };
      if (manifest.name === name) return manifest.version;
    } catch {
      // no package.json at this level: keep climbing
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`Cannot find the package.json of ${name}`);
    dir = parent;
  }
}

/** `root` is the course's folder: paths are not taken from this file, because Astro runs a bundled copy of it. */
export async function buildContainerRuntime(root = process.cwd()): Promise<ContainerRuntime> {
  // The three entries share most of their code; splitting puts it in chunks loaded by all three.
  const outdir = join(root, RUNTIME_DIR);
  const result = await build({
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, path]) => [name, join(root, 'src', 'runner', path)])),
    outdir,
    outExtension: { '.js': '.mjs' },
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    // StackBlitz's Node is older than ours; what we use of newer Node is checked at run time.
    target: 'node18',
    external: INSTALLED_PACKAGES,
    // Bundled CommonJS dependencies call require(); give the ES module one.
    banner: { js: "import { createRequire as __labkitRequire } from 'node:module'; const require = __labkitRequire(import.meta.url);" },
    legalComments: 'none',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  const files: Record<string, string> = {};
  for (const output of result.outputFiles) files[`${RUNTIME_DIR}/${relative(outdir, output.path).split(sep).join('/')}`] = output.text;
  const dependencies = Object.fromEntries(INSTALLED_PACKAGES.map((name) => [name, installedVersion(root, name)]));
  return { files, dependencies };
}
