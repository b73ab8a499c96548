/** grades.csv: RFC 4180 quoting and the guard against formulas in learner-provided text. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csvField, gradesCsv, guardFormula, toCsv } from '../../src/gradebook/csv.ts';
import { bookOf } from './gradebook-fixtures.ts';

test('csv: a field is quoted only when it holds a comma, a quote or a line break; quotes are doubled', () => {
  assert.equal(csvField('alice'), 'alice');
  assert.equal(csvField('Smith, Ann'), '"Smith, Ann"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField('cr\r'), '"cr\r"');
});

test('csv: text starting with = + - @ tab or CR gets a leading apostrophe; other text is kept', () => {
  for (const text of ['=SUM(A1:A2)', '+1', '-2+3', '@cmd', '\t=1', '\r=1']) assert.equal(guardFormula(text), `'${text}`);
  for (const text of ['alice', 'a=b', '1', '', "'quoted"]) assert.equal(guardFormula(text), text);
});

test('csv: rows end with CRLF, numbers stay numbers, a formula is guarded before it is quoted', () => {
  assert.equal(toCsv([['learner', 'lab'], ['=HYPERLINK("http://x","y")', 42], ['bob', undefined]]), 'learner,lab\r\n"\'=HYPERLINK(""http://x"",""y"")",42\r\nbob,\r\n');
});

test('csv: the gradebook has a column per lab, the total and notes for what was not graded', () => {
  const book = bookOf({ alice: { es: 80, cq: 20 }, bob: { es: 'missing', cq: 50 }, '-carol': { es: 'error', cq: 'missing' } });
  assert.equal(
    gradesCsv(book),
    [
      'learner,es,cq,total,notes',
      "'-carol,,,,es: could not be graded: it broke; cq: no submission",
      'alice,80,20,100,',
      'bob,,50,50,es: no submission',
      '',
    ].join('\r\n'),
  );
});
