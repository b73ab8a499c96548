/** summary.html: self-contained, every learner string escaped, distribution and most-failed tests right. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { distribution, escapeHtml, mean, median, mostFailed, summaryHtml } from '../../src/gradebook/summary-html.ts';
import { bookOf } from './gradebook-fixtures.ts';

test('html: escapeHtml escapes the five characters that matter in text and attributes', () => {
  assert.equal(escapeHtml(`<a href="x" onclick='y'>&</a>`), '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
});

test('html: distribution puts scores in tenths of the maximum, full marks apart', () => {
  const bins = distribution([0, 9.9, 10, 55, 99, 100], 100);
  assert.equal(bins.length, 11);
  assert.deepEqual(bins.map((b) => b.count), [2, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1]);
  assert.equal(bins[10]!.label, '100 %');
  assert.deepEqual(distribution([5], 0).map((b) => b.count)[0], 1, 'a lab worth nothing does not divide by zero');
});

test('html: mean and median, and none for no scores', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.equal(mean([1, 2, 6]), 3);
  assert.equal(median([]), undefined);
});

test('html: most-failed tests are counted over graded learners, most failed first, with the usual reason', () => {
  const book = bookOf({ a: { es: 0 }, b: { es: 50 }, c: { es: 100 }, d: { es: 'error' } });
  const failed = mostFailed(book.learners, 'es');
  assert.deepEqual(failed.map((t) => [t.name, t.failed, t.commonMessage]), [
    ['the <second> test', 2, 'expected <1> to be 2'],
    ['the first test', 1, 'expected <1> to be 2'],
  ]);
});

test('html: the summary is self-contained and escapes learner ids, test names and messages', () => {
  const book = bookOf({ '<img src=x onerror=alert(1)>': { es: 50 }, bob: { es: 'missing' }, carol: { es: 'error' } });
  const html = summaryHtml(book);
  assert.doesNotMatch(html, /<script|<link|<img|https?:\/\//i);
  assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
  assert.match(html, /<td>the &lt;second&gt; test<\/td>/);
  assert.match(html, /<td class="msg">expected &lt;1&gt; to be 2<\/td>/);
  assert.match(html, /<h3>Not submitted<\/h3>\n<ul class="ids"><li>bob<\/li><\/ul>/);
  assert.match(html, /<h3>Could not be graded<\/h3>\n<ul><li><b>carol<\/b>: it broke<\/li><\/ul>/);
  assert.match(html, /<style>[\s\S]*<\/style>/);
});
