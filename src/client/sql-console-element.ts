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
    sql.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
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
      this.showResult(result);
      this.status(`Done in ${Math.round(performance.now() - started)} ms.`);
    } catch (error) {
      this.showError((error as Error).message);
      this.status('The database answered with an error.');
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
      this.region('output').replaceChildren();
      this.status('The database is back to its starting data.');
    } catch (error) {
      this.status(`The database could not restart: ${(error as Error).message}`);
    } finally {
      this.busy = false;
    }
  }

  private showResult(result: QueryResult): void {
    const output = this.region('output');
    if (result.columns.length === 0) {
      output.replaceChildren(paragraph(`OK: ${result.statements} statement${result.statements === 1 ? '' : 's'} ran, ${result.affectedRows} row${result.affectedRows === 1 ? '' : 's'} changed.`));
      return;
    }
    const table = document.createElement('table');
    const head = table.createTHead().insertRow();
    for (const column of result.columns) {
      const th = document.createElement('th');
      th.textContent = column;
      head.append(th);
    }
    const body = table.createTBody();
    for (const row of result.rows.slice(0, ROWS_SHOWN)) {
      const tr = body.insertRow();
      for (const cell of row) tr.insertCell().textContent = cell;
    }
    const count = result.rows.length > ROWS_SHOWN ? `${result.rows.length} rows, the first ${ROWS_SHOWN} shown` : `${result.rows.length} row${result.rows.length === 1 ? '' : 's'}`;
    output.replaceChildren(table, paragraph(count));
  }

  private showError(message: string): void {
    const pre = document.createElement('pre');
    pre.className = 'console-error';
    pre.textContent = `ERROR: ${message}`;
    this.region('output').replaceChildren(pre);
  }

  private status(text: string): void {
    this.region('status').textContent = text;
  }

  private region<T extends HTMLElement = HTMLElement>(name: string): T {
    return this.querySelector<T>(`[data-part="${name}"]`)!;
  }
}

function paragraph(text: string): HTMLParagraphElement {
  const p = document.createElement('p');
  p.textContent = text;
  return p;
}

customElements.define('sql-console', SqlConsoleElement);
