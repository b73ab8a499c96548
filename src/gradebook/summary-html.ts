/**
 * summary.html: the class at a glance, for the instructor. Self-contained (inline CSS, no
 * script, no external URL) so it can be mailed, archived as a CI artifact or opened offline.
 * Every string that came from a learner (ids, messages, notes) is HTML-escaped.
 */
import { scoreOf, type Gradebook, type GradebookLab, type LearnerRow } from './model.ts';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function mean(values: readonly number[]): number | undefined {
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;
}

export interface Bin {
  label: string;
  count: number;
}

/**
 * Scores in ten bins of a tenth of the maximum each (0-9 %, ..., 80-89 %), then 90-99 % and
 * full marks apart, since "everything passed" is what an instructor looks for first.
 */
export function distribution(scores: readonly number[], maxScore: number): Bin[] {
  const bins: Bin[] = Array.from({ length: 10 }, (_, i) => ({ label: `${i * 10}–${i * 10 + 9} %`, count: 0 }));
  bins.push({ label: '100 %', count: 0 });
  for (const score of scores) {
    const share = maxScore > 0 ? score / maxScore : 0;
    bins[share >= 1 ? 10 : Math.min(9, Math.floor(share * 10))]!.count++;
  }
  return bins;
}

export interface FailedTest {
  name: string;
  task: number;
  points: number;
  failed: number;
  /** The message most learners got, as an example of why. */
  commonMessage: string;
}

/** The tests most learners did not pass, most failed first (ties by name), among graded learners. */
export function mostFailed(learners: readonly LearnerRow[], labId: string, limit = 10): FailedTest[] {
  const byTest = new Map<string, { test: FailedTest; messages: Map<string, number> }>();
  for (const learner of learners) {
    const entry = learner.labs[labId];
    if (entry?.state !== 'graded') continue;
    for (const t of entry.result.tests) {
      if (t.status === 'pass') continue;
      const seen = byTest.get(t.id) ?? { test: { name: t.name, task: t.task, points: t.points, failed: 0, commonMessage: '' }, messages: new Map() };
      seen.test.failed++;
      const message = t.message.split('\n')[0]!.slice(0, 160);
      seen.messages.set(message, (seen.messages.get(message) ?? 0) + 1);
      byTest.set(t.id, seen);
    }
  }
  const tests = [...byTest.values()].map(({ test, messages }) => ({
    ...test,
    commonMessage: [...messages].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? '',
  }));
  return tests.sort((a, b) => b.failed - a.failed || a.name.localeCompare(b.name)).slice(0, limit);
}

const number = (value: number | undefined) => (value === undefined ? '–' : String(Math.round(value * 10) / 10));

function labSection(book: Gradebook, lab: GradebookLab): string {
  const entries = book.learners.map((l) => ({ id: l.id, entry: l.labs[lab.id] }));
  const scores = entries.map((e) => scoreOf(e.entry)).filter((s): s is number => s !== undefined);
  const missing = entries.filter((e) => !e.entry || e.entry.state === 'missing');
  const errors = entries.flatMap((e) => (e.entry?.state === 'error' ? [{ id: e.id, error: e.entry.error }] : []));
  const bins = distribution(scores, lab.maxScore);
  const widest = Math.max(1, ...bins.map((b) => b.count));
  const failed = mostFailed(book.learners, lab.id);

  const bars = bins
    .map(
      (bin) =>
        `<tr><th scope="row">${bin.label}</th><td>${bin.count > 0 ? `<span class="bar" style="width:${((bin.count / widest) * 100).toFixed(1)}%"></span>` : ''}</td><td class="num">${bin.count}</td></tr>`,
    )
    .join('\n');
  const failedRows = failed
    .map(
      (t) =>
        `<tr><td>${escapeHtml(t.name)}</td><td class="num">${t.task}</td><td class="num">${number(t.points)}</td><td class="num">${t.failed} of ${scores.length}</td><td class="msg">${escapeHtml(t.commonMessage)}</td></tr>`,
    )
    .join('\n');
  return `<section aria-labelledby="lab-${escapeHtml(lab.id)}">
<h2 id="lab-${escapeHtml(lab.id)}">${escapeHtml(lab.title)} <small>(${escapeHtml(lab.id)}, version ${lab.version}, out of ${number(lab.maxScore)})</small></h2>
<p class="stats"><span><b>${scores.length}</b> graded</span> <span><b>${missing.length}</b> not submitted</span> <span><b>${errors.length}</b> could not be graded</span> <span>mean <b>${number(mean(scores))}</b></span> <span>median <b>${number(median(scores))}</b></span></p>
<h3>Score distribution</h3>
<table class="dist"><caption>Learners by score, as a share of ${number(lab.maxScore)} points</caption>
<thead><tr><th scope="col">score</th><th scope="col">learners</th><th scope="col" class="num">count</th></tr></thead>
<tbody>
${bars}
</tbody></table>
<h3>Most-failed tests</h3>
${failed.length === 0 ? '<p>Every graded learner passed every test.</p>' : `<table class="failed"><thead><tr><th scope="col">test</th><th scope="col" class="num">task</th><th scope="col" class="num">points</th><th scope="col" class="num">not passed</th><th scope="col">most common reason</th></tr></thead>
<tbody>
${failedRows}
</tbody></table>`}
<h3>Not submitted</h3>
${missing.length === 0 ? '<p>Everyone handed this lab in.</p>' : `<ul class="ids">${missing.map((m) => `<li>${escapeHtml(m.id)}</li>`).join('')}</ul>`}
${errors.length === 0 ? '' : `<h3>Could not be graded</h3>\n<ul>${errors.map((e) => `<li><b>${escapeHtml(e.id)}</b>: ${escapeHtml(e.error)}</li>`).join('')}</ul>`}
</section>`;
}

function learnersTable(book: Gradebook): string {
  const head = book.labs.map((lab) => `<th scope="col" class="num">${escapeHtml(lab.id)}</th>`).join('');
  const rows = book.learners
    .map((learner) => {
      const cells = book.labs.map((lab) => {
        const entry = learner.labs[lab.id];
        if (!entry || entry.state === 'missing') return '<td class="num none">not submitted</td>';
        if (entry.state === 'error') return `<td class="num none" title="${escapeHtml(entry.error)}">error</td>`;
        return `<td class="num">${number(entry.result.score)}</td>`;
      });
      // As in grades.csv: no total when nothing was graded, so "0" always means graded at 0.
      const scores = book.labs.map((lab) => scoreOf(learner.labs[lab.id])).filter((s): s is number => s !== undefined);
      const total = scores.length > 0 ? scores.reduce((a, b) => a + b, 0) : undefined;
      return `<tr><th scope="row">${escapeHtml(learner.id)}</th>${cells.join('')}<td class="num">${number(total)}</td></tr>`;
    })
    .join('\n');
  return `<section aria-labelledby="learners"><h2 id="learners">Learners</h2>
<table class="learners"><thead><tr><th scope="col">learner</th>${head}<th scope="col" class="num">total</th></tr></thead>
<tbody>
${rows}
</tbody></table></section>`;
}

const STYLE = `
:root { color-scheme: light dark; --bar: #3b6fd1; --line: #8884; }
body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { margin-bottom: 0.25rem; } h2 { margin-top: 2.5rem; border-bottom: 2px solid var(--line); } h2 small { font-weight: normal; font-size: 0.7em; opacity: 0.75; }
.meta { opacity: 0.75; margin-top: 0; } .warning { padding: 0.5rem 0.75rem; border-left: 4px solid #d97706; background: #d9770622; }
.stats span { margin-right: 1.25rem; white-space: nowrap; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; } caption { text-align: left; opacity: 0.75; }
th, td { text-align: left; padding: 0.2rem 0.5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
.num { text-align: right; white-space: nowrap; } .none { opacity: 0.6; }
.dist th { width: 7rem; white-space: nowrap; font-weight: normal; } .dist td:nth-child(2) { width: 100%; }
.bar { display: inline-block; height: 1rem; min-width: 3px; background: var(--bar); vertical-align: middle; }
.msg { font-family: ui-monospace, monospace; font-size: 0.85em; word-break: break-word; }
.ids { columns: 12rem; }
`;

export function summaryHtml(book: Gradebook): string {
  const scope = book.shard ? `shard ${book.shard.index} of ${book.shard.count}` : book.mergedFrom ? `merged from ${book.mergedFrom.length} shard(s)` : 'the whole class';
  const warning = book.missingShards?.length
    ? `<p class="warning">Shard(s) ${book.missingShards.join(', ')} were not merged: their learners are not in this gradebook.</p>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gradebook: ${escapeHtml(book.labs.map((l) => l.id).join(', '))}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Gradebook</h1>
<p class="meta">${escapeHtml(book.course.name)} ${escapeHtml(book.course.version)} · ${book.learners.length} learner(s) · ${scope} · generated ${escapeHtml(book.generatedAt)}</p>
${warning}
${book.labs.map((lab) => labSection(book, lab)).join('\n')}
${learnersTable(book)}
</body>
</html>
`;
}
