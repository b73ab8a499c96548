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
  /** Opens `path` with the cursor at `line` and `column` (1-based), in view, and focuses the editor. */
  reveal(path: string, line: number, column: number): void;
  setText(path: string, text: string): void;
  onChange(listener: (path: string, text: string) => void): void;
  /** Ctrl+Enter (Cmd+Enter on a Mac) in the editor. */
  onRunShortcut(listener: () => void): void;
  setTheme(dark: boolean): void;
  dispose(): void;
}

/** A read-only side-by-side comparison of two versions of one file. */
export interface DiffView {
  show(path: string, original: string, modified: string): void;
  setTheme(dark: boolean): void;
  dispose(): void;
}

/**
 * Monaco's own themes, with the colours that fall short of WCAG AA contrast raised: unused code
 * is not faded (faded, a light theme's type name is 3.8:1 and a dark theme's comment 4.2:1;
 * TypeScript's hint still marks it with dots), and the dark theme's line numbers are lighter
 * (#858585 is 4.5:1 on #1e1e1e only when rounded up).
 */
const LIGHT_THEME = 'course-light';
const DARK_THEME = 'course-dark';
let themesDefined = false;

function defineThemes(): void {
  if (themesDefined) return;
  themesDefined = true;
  monaco.editor.defineTheme(LIGHT_THEME, { base: 'vs', inherit: true, rules: [], colors: { 'editorUnnecessaryCode.opacity': '#000000ff' } });
  monaco.editor.defineTheme(DARK_THEME, {
    base: 'vs-dark',
    inherit: true,
    // Comments: #608b4e is 4.2:1 on the editor's #1e1e1e; #6a9955 is 5.0:1.
    rules: [{ token: 'comment', foreground: '6a9955' }],
    colors: { 'editorUnnecessaryCode.opacity': '#000000ff', 'editorLineNumber.foreground': '#9a9a9a' },
  });
}

function themeName(dark: boolean): string {
  defineThemes();
  return dark ? DARK_THEME : LIGHT_THEME;
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
    // Monaco's default dims the number of the empty line after a final newline to 1.75:1: too
    // faint to read (WCAG 1.4.3) on a file short enough to show it.
    renderFinalNewline: 'on',
    tabSize: 2,
    theme: themeName(dark),
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

  const show = (path: string) => {
    const model = models.get(path);
    if (!model || path === current) return;
    viewStates.set(current, editor.saveViewState());
    editor.setModel(model);
    editor.updateOptions({ readOnly: readOnly.has(path), ariaLabel: `Code editor: ${path}` });
    const state = viewStates.get(path);
    if (state) editor.restoreViewState(state);
    current = path;
  };

  return {
    show(path) {
      show(path);
      editor.focus();
    },
    reveal(path, line, column) {
      show(path);
      editor.setPosition({ lineNumber: line, column });
      editor.revealPositionInCenter({ lineNumber: line, column });
      editor.focus();
    },
    onRunShortcut(listener) {
      editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, listener);
    },
    setText(path, text) {
      const model = models.get(path);
      if (model && model.getValue() !== text) model.setValue(text);
    },
    onChange(listener) {
      listeners.push(listener);
    },
    setTheme(isDark) {
      monaco.editor.setTheme(themeName(isDark));
    },
    dispose() {
      editor.dispose();
      for (const model of models.values()) model.dispose();
    },
  };
}

export function createDiffView(container: HTMLElement, dark: boolean): DiffView {
  configureTypeScript();
  const diff = monaco.editor.createDiffEditor(container, {
    automaticLayout: true,
    readOnly: true,
    originalEditable: false,
    renderSideBySide: true,
    // Below this width the two sides would be unreadable: one column, changes inline.
    useInlineViewWhenSpaceIsLimited: true,
    renderSideBySideInlineBreakpoint: 640,
    minimap: { enabled: false },
    scrollBeyondLastLine: false,
    renderFinalNewline: 'on',
    fontSize: 14,
    theme: themeName(dark),
    ariaLabel: 'Your file and the reference solution',
    originalAriaLabel: 'Your file',
    modifiedAriaLabel: 'Reference solution',
  });
  let models: monaco.editor.ITextModel[] = [];
  return {
    show(path, original, modified) {
      const previous = models;
      // Their own addresses, so the comparison never joins the lab's files in TypeScript's view.
      models = [
        monaco.editor.createModel(original, 'typescript', monaco.Uri.parse(`compare:///yours/${path}`)),
        monaco.editor.createModel(modified, 'typescript', monaco.Uri.parse(`compare:///solution/${path}`)),
      ];
      diff.setModel({ original: models[0]!, modified: models[1]! });
      for (const model of previous) model.dispose();
    },
    setTheme(isDark) {
      monaco.editor.setTheme(themeName(isDark));
    },
    dispose() {
      diff.dispose();
      for (const model of models) model.dispose();
    },
  };
}
