/**
 * The npm project a WebContainer mounts for one lab: what the learner sees in its terminal and
 * what `npm test` runs. Built from plain data, so the page builds it in the browser and our
 * tests build the very same files in Node and run them under plain Node.
 *
 *   package.json          pinned engines, `npm test` and `npm start`
 *   README.md             the lab's instructions
 *   src/...               the learner's editable files (as last saved) and the course's read-only files
 *   tests/...             the lab's tests, to read; `npm test` grades with the course's copy, as the grader does
 *   .labkit/lab.json      the lab as a bundle: manifest, starter and tests (never the solution)
 *   .labkit/*.mjs         the Node runner, bundled for the container (see runtime-bundle.ts)
 */
import { sourcesForRun, type FileMap, type LabBundle } from '../../labs/bundle.ts';

/** The runner's bundled files and the packages they need, as the site serves them. */
export interface ContainerRuntime {
  /** Runner files by project path, e.g. `.labkit/run-tests.mjs`. */
  files: FileMap;
  /** Exact versions of the packages the runner leaves to npm (the ones that carry WebAssembly). */
  dependencies: Record<string, string>;
}

export const BUNDLE_PATH = '.labkit/lab.json';
/** Where `npm test` writes its LabResult, for the page to read when the run ends. */
export const RESULT_PATH = '.labkit/result.json';

/** WebContainer's mount format: folders are `{ directory }`, files `{ file: { contents } }`. */
export interface FileSystemTree {
  [name: string]: { directory: FileSystemTree } | { file: { contents: string } };
}

export function projectPackageJson(bundle: LabBundle, runtime: ContainerRuntime): string {
  const pkg = {
    name: `lab-${bundle.manifest.id}`,
    version: `${bundle.manifest.version}.0.0`,
    private: true,
    description: bundle.manifest.title,
    type: 'module',
    scripts: {
      test: 'node .labkit/run-tests.mjs',
      start: 'node .labkit/start.mjs',
    },
    dependencies: runtime.dependencies,
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** Every file of the project by path. The solution is never among them, whatever the bundle holds. */
export function buildProjectFiles(bundle: LabBundle, learnerFiles: FileMap, runtime: ContainerRuntime): FileMap {
  const { manifest, starter, tests, readme, testTimesMs } = bundle;
  return {
    'package.json': projectPackageJson(bundle, runtime),
    'README.md': readme,
    ...sourcesForRun(bundle, learnerFiles),
    ...tests,
    [BUNDLE_PATH]: JSON.stringify({ manifest, readme, starter, tests, ...(testTimesMs ? { testTimesMs } : {}) } satisfies LabBundle),
    ...runtime.files,
  };
}

/** Nests flat paths (`src/a/b.ts`) into WebContainer's tree. A path that escapes the project is refused. */
export function toFileSystemTree(files: FileMap): FileSystemTree {
  const root: FileSystemTree = {};
  for (const [path, contents] of Object.entries(files)) {
    const parts = path.split('/');
    if (parts.some((part) => part === '' || part === '.' || part === '..')) {
      throw new Error(`toFileSystemTree: "${path}" is not a plain relative path inside the project`);
    }
    let folder = root;
    for (const part of parts.slice(0, -1)) {
      const entry = (folder[part] ??= { directory: {} });
      if (!('directory' in entry)) throw new Error(`toFileSystemTree: "${path}" needs "${part}" to be a folder, but it is a file`);
      folder = entry.directory;
    }
    const name = parts.at(-1)!;
    if (folder[name]) throw new Error(`toFileSystemTree: "${path}" is given twice, or is also a folder`);
    folder[name] = { file: { contents } };
  }
  return root;
}
