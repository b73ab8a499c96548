/**
 * The lab's code editor: Monaco with one tab per file, TypeScript diagnostics and completion
 * against the labkit's own sources. Loaded only when a lab page asks for it (about 2.6 MB
 * gzipped), never on lesson pages.
 */
import * as monaco from 'monaco-editor/editor/editor.api';
import * as typescript from 'monaco-editor/languages/features/typescript/register';
import 'monaco-editor/languages/definitions/typescript/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import TypeScriptWorker from 'monaco-editor/languages/features/typescript/ts.worker?worker';

export interface EditorFile {
  path: string;
  text: string;
  readOnly: boolean;
}

export interface LabEditor {
  show(path: string): void;
  setText(path: string, text: string): void;
  onChange(listener: (path: string, text: string) => void): void;
  setTheme(dark: boolean): void;
  dispose(): void;
}

/** The labkit's sources, so `import { pg } from 'labkit/db'` resolves and completes in the editor. */
const labkitSources = import.meta.glob('../labkit/**/*.ts', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

let configured = false;

function configureTypeScript(): void {
  if (configured) return;
  configured = true;
  self.MonacoEnvironment = {
    getWorker: (_id: string, label: string) => (label === 'typescript' || label === 'javascript' ? new TypeScriptWorker() : new EditorWorker()),
  };
  const defaults = typescript.typescriptDefaults;
  defaults.setCompilerOptions({
    target: typescript.ScriptTarget.ESNext,
    module: typescript.ModuleKind.ESNext,
    // 100 is TypeScript's "bundler" resolution, which the enum in Monaco's typings lacks.
    moduleResolution: 100 as typescript.ModuleResolutionKind,
    allowImportingTsExtensions: true,
    noEmit: true,
    strict: true,
    skipLibCheck: true,
    baseUrl: 'file:///',
    paths: { 'labkit/*': ['node_modules/labkit/*/index.ts'] },
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
  });
  defaults.setEagerModelSync(true);
  for (const [path, source] of Object.entries(labkitSources)) {
    defaults.addExtraLib(source, `file:///node_modules/labkit/${path.replace(/^\.\.\/labkit\//, '')}`);
  }
}

export function createEditor(container: HTMLElement, files: EditorFile[], dark: boolean): LabEditor {
  configureTypeScript();
  const models = new Map<string, monaco.editor.ITextModel>();
  for (const file of files) {
    models.set(file.path, monaco.editor.createModel(file.text, 'typescript', monaco.Uri.parse(`file:///${file.path}`)));
  }
  const readOnly = new Set(files.filter((f) => f.readOnly).map((f) => f.path));
  const viewStates = new Map<string, monaco.editor.ICodeEditorViewState | null>();
  const editor = monaco.editor.create(container, {
    model: models.get(files[0]!.path)!,
    automaticLayout: true,
    minimap: { enabled: false },
    fontSize: 14,
    scrollBeyondLastLine: false,
    tabSize: 2,
    theme: dark ? 'vs-dark' : 'vs',
    readOnly: readOnly.has(files[0]!.path),
    ariaLabel: `Code editor: ${files[0]!.path}`,
  });
  let current = files[0]!.path;
  const listeners: ((path: string, text: string) => void)[] = [];
  for (const [path, model] of models) {
    model.onDidChangeContent(() => {
      if (!readOnly.has(path)) for (const listener of listeners) listener(path, model.getValue());
    });
  }

  return {
    show(path) {
      const model = models.get(path);
      if (!model || path === current) return;
      viewStates.set(current, editor.saveViewState());
      editor.setModel(model);
      editor.updateOptions({ readOnly: readOnly.has(path), ariaLabel: `Code editor: ${path}` });
      const state = viewStates.get(path);
      if (state) editor.restoreViewState(state);
      current = path;
      editor.focus();
    },
    setText(path, text) {
      const model = models.get(path);
      if (model && model.getValue() !== text) model.setValue(text);
    },
    onChange(listener) {
      listeners.push(listener);
    },
    setTheme(isDark) {
      monaco.editor.setTheme(isDark ? 'vs-dark' : 'vs');
    },
    dispose() {
      editor.dispose();
      for (const model of models.values()) model.dispose();
    },
  };
}
