/**
 * <sql-console>: the interactive part of a lesson's SQL console. It loads nothing heavy until
 * the learner opens it; then a worker holds the database and runs what the learner types.
 */
import { createSqlConsole, type QueryResult, type SqlConsole } from '../runner/index.ts';

interface ConsoleConfig {
  engine: 'pglite' | 'sqljs';
  seed: string;
  queries: { label: string; sql: string; note: string }[];
}

const QUERY_TIME_LIMIT_MS = 10_000;
const ROWS_SHOWN = 200;

class SqlConsoleElement extends HTMLElement {
  private config!: ConsoleConfig;
  private session: SqlConsole | undefined;
  private busy = false;

  connectedCallback(): void {
    this.config = JSON.parse(this.querySelector('script[data-console-config]')!.textContent!) as ConsoleConfig;
    this.region('open').addEventListener('click', () => void this.open());
  }

  disconnectedCallback(): void {
    this.session?.dispose();
  }

  private async open(): Promise<void> {
    const openButton = this.region<HTMLButtonElement>('open');
    openButton.disabled = true;
    this.status('Starting the database…');
    try {
      this.session = await createSqlConsole({ engine: this.config.engine, snapshotUrl: this.dataset.snapshotUrl!, seed: this.config.seed });
      this.wire();
      this.region('body').hidden = false;
      openButton.hidden = true;
      await this.session.open();
      this.status('Ready. Pick a suggested query or write your own.');
      this.setAttribute('data-ready', '');
    } catch (error) {
      openButton.disabled = false;
      this.status(`The database could not start: ${(error as Error).message}`);
    }
  }

  private wire(): void {
    const sql = this.region<HTMLTextAreaElement>('sql');
    this.querySelectorAll<HTMLButtonElement>('[data-query]').forEach((button) => {
      button.addEventListener('click', () => {
        const query = this.config.queries[Number(button.dataset.query)]!;
        this.querySelectorAll('[data-query]').forEach((b) => b.setAttribute('aria-pressed', String(b === button)));
        sql.value = query.sql.trimEnd();
        const note = this.region('note');
        note.textContent = query.note;
        note.hidden = false;
        void this.run();
      });
    });
    // An editor's habits: Ctrl+Enter (Cmd+Enter on a Mac) runs, Enter is a new line. Tab is left
    // to the browser, so it always moves focus on and never traps a keyboard user in the box.
    sql.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !event.isComposing) {
        event.preventDefault();
        void this.run();
      }
    });
    this.region('run').addEventListener('click', () => void this.run());
    this.region('reset').addEventListener('click', () => void this.reset());
  }

  private async run(): Promise<void> {
    const text = this.region<HTMLTextAreaElement>('sql').value.trim();
    if (!text || this.busy || !this.session) return;
    this.busy = true;
    this.status('Running…');
    const started = performance.now();
    try {
      const result = await this.session.query(text, QUERY_TIME_LIMIT_MS);
      const summary = this.showResult(result);
      this.status(`Done in ${Math.round(performance.now() - started)} ms: ${summary}.`);
    } catch (error) {
      const { message } = error as Error;
      this.showError(message);
      this.status(`The database answered with an error: ${firstLine(message)}`);
    } finally {
      this.busy = false;
    }
  }

  private async reset(): Promise<void> {
    if (!this.session || this.busy) return;
    this.busy = true;
    this.status('Resetting the database to its starting data…');
    try {
      await this.session.open();
      const output = this.region('output');
      output.replaceChildren();
      output.hidden = true;
      this.status('The database is back to its starting data.');
    } catch (error) {
      this.status(`The database could not restart: ${(error as Error).message}`);
    } finally {
      this.busy = false;
    }
  }

  /** Puts the result in the output box and returns what it holds in a few words, for the status line. */
  private showResult(result: QueryResult): string {
    if (result.columns.length === 0) {
      const summary = `${plural(result.statements, 'statement')} ran, ${plural(result.affectedRows, 'row')} changed`;
      this.showOutput(paragraph(`OK: ${summary}.`));
      return summary;
    }
    const table = document.createElement('table');
    const head = table.createTHead().insertRow();
    for (const column of result.columns) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = column;
      head.append(th);
    }
    const body = table.createTBody();
    for (const row of result.rows.slice(0, ROWS_SHOWN)) {
      const tr = body.insertRow();
      for (const cell of row) tr.insertCell().textContent = cell;
    }
    this.showOutput(table);
    return result.rows.length > ROWS_SHOWN ? `${result.rows.length} rows, the first ${ROWS_SHOWN} shown` : plural(result.rows.length, 'row');
  }

  private showError(message: string): void {
    const pre = document.createElement('pre');
    pre.className = 'console-error';
    pre.textContent = `ERROR: ${message}`;
    this.showOutput(pre);
  }

  private showOutput(content: Node): void {
    const output = this.region('output');
    output.replaceChildren(content);
    output.scrollTo(0, 0);
    output.hidden = false;
  }

  private status(text: string): void {
    this.region('status').textContent = text;
  }

  private region<T extends HTMLElement = HTMLElement>(name: string): T {
    return this.querySelector<T>(`[data-part="${name}"]`)!;
  }
}

/** Enough of an error for the status line to say what went wrong; the output box shows all of it. */
function firstLine(message: string): string {
  const line = message.split('\n', 1)[0]!.trim();
  return line.length > 160 ? `${line.slice(0, 159)}…` : line;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function paragraph(text: string): HTMLParagraphElement {
  const p = document.createElement('p');
  p.textContent = text;
  return p;
}

customElements.define('sql-console', SqlConsoleElement);
