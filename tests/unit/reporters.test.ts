/**
 * The reporters, as pure functions of hand-built LabResults, hostile ones included: the JSON
 * report against its JSON Schema (ajv), the JUnit XML against its XSD (libxml2's xmllint, as
 * WebAssembly), the GitHub workflow commands against injection, the Classroom result decoded
 * back; and the list of reporters, which the grade command's --reporter option reads.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import Ajv2020 from 'ajv/dist/2020.js';
import { validateXML } from 'xmllint-wasm';
import { EXIT, exitCodeFor } from '../../src/reports/exit-codes.ts';
import { formatClassroom, toClassroomResult } from '../../src/reports/classroom.ts';
import { escapeData, escapeProperty, formatGithub } from '../../src/reports/github.ts';
import { capOutput, OUTPUT_LIMIT, toJsonReport } from '../../src/reports/json.ts';
import { formatJunit, xmlSafe } from '../../src/reports/junit.ts';
import { formatPretty } from '../../src/reports/pretty.ts';
import { REPORTERS } from '../../src/reports/reporters.ts';
import { buildLabResult, labResult, type LabResult, type PlannedTest, type TestOutcome } from '../../src/schemas/lab-result.ts';

/** Everything a submission could put in a message to break a report. */
const HOSTILE = [
  'expected 1 < 2 && "a" > \'b\' ]]> <![CDATA[ x ]]> </failure></testcase>',
  'controls: \u0000\u0001\u0008\u000b\u000c\u001b[31mred\u001b[0m\u001f\u007f \ufffe\uffff',
  'lone surrogates: \ud800 and \udfff; a pair: 😀',
  'invalid UTF-8 once decoded: \ufffd',
  'line 1\r\nline 2\n::set-output name=score::100\n::add-mask::secret\n%0A::error::forged',
  'pipes | in | a table\ttab',
].join('\n');

function plan(id: string, task: number, points: number, name = id): PlannedTest {
  return { id, name, task, points, timeoutMs: 1000 };
}

function lab(outcomes: Record<string, TestOutcome>, tests: PlannedTest[], problem?: string): LabResult {
  return labResult.parse(buildLabResult({ labId: 'counter', labVersion: 2, runtime: 'node', plan: tests, outcomes: new Map(Object.entries(outcomes)), problem, durationMs: 1234 }));
}

const PLAN = [plan('a', 1, 10, 'creates the table'), plan('b', 1, 40, 'counts | in <PostgreSQL>'), plan('c', 2, 20, 'hangs'), plan('d', 2, 30, 'counts in SQLite')];
const mixed = lab(
  {
    a: { status: 'pass', message: '', durationMs: 12, output: 'printed while passing' },
    b: { status: 'fail', message: HOSTILE, durationMs: 30.6, output: `${'x'.repeat(498)}😀😀😀 and more` },
    c: { status: 'timeout', message: 'Stopped after 2 s', durationMs: 2000 },
    d: { status: 'error', message: HOSTILE, durationMs: 5 },
  },
  PLAN,
  'A test hung; the process was restarted.',
);
const perfect = lab(Object.fromEntries(PLAN.map((t) => [t.id, { status: 'pass', message: '', durationMs: 1 } as TestOutcome])), PLAN);
const notGradedWithTests = lab({}, PLAN, 'Syntax error at src/counter.ts:13:22: Unexpected token');
const notGradedEmpty = lab({}, [], `The lab could not be loaded: ${HOSTILE}`);
/** A file that does not compile, a test it blocked, and a loop the guard stopped: the optional fields every format must carry or ignore. */
const blocked = labResult.parse(
  buildLabResult({
    labId: 'counter', labVersion: 2, runtime: 'node', durationMs: 10,
    plan: [plan('a', 1, 10, 'needs the broken file'), plan('b', 1, 10, 'loops')],
    outcomes: new Map<string, TestOutcome>([
      ['a', { status: 'error', message: 'Not run: src/x.ts does not compile (line 3, column 5).', durationMs: 0, blockedBy: 'src/x.ts' }],
      ['b', { status: 'timeout', message: 'Stopped after 1 s: the loop in append() (src/a.ts:4) was still running.', durationMs: 900, stoppedIn: { function: 'append', file: 'src/a.ts', line: 4 } }],
    ]),
    compileErrors: [{ file: 'src/x.ts', line: 3, column: 5, message: `Unexpected token ${HOSTILE}` }],
  }),
);
const ALL = { mixed, perfect, notGradedWithTests, notGradedEmpty, blocked };

test('pretty: each file that does not compile is printed once, with its place and message, before the tasks', () => {
  const text = formatPretty(blocked);
  assert.equal(text.split('Syntax error at src/x.ts:3:5: Unexpected token').length, 2);
  assert.ok(text.indexOf('Syntax error at src/x.ts:3:5') < text.indexOf('Task 1'));
  assert.match(text, /Not run: src\/x\.ts does not compile \(line 3, column 5\)\./);
});

test('reporters are pure: src/reports reads no environment, files or process state', () => {
  for (const file of readdirSync('src/reports').filter((f) => f.endsWith('.ts'))) {
    const source = readFileSync(`src/reports/${file}`, 'utf8');
    assert.doesNotMatch(source, /process\.|from 'node:|require\(/, `src/reports/${file} must leave I/O to the CLI`);
  }
});

// ---- JSON ------------------------------------------------------------------------------

const schema = JSON.parse(readFileSync('src/reports/json-report.schema.json', 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

test('json: every report validates against json-report.schema.json (draft 2020-12)', () => {
  for (const [name, result] of Object.entries(ALL)) {
    for (const passMark of [undefined, 0, 50]) {
      // Through JSON text, as a consumer reads it.
      const report = JSON.parse(JSON.stringify(toJsonReport(result, { passMark })));
      assert.ok(validate(report), `${name}: ${JSON.stringify(validate.errors, null, 2)}`);
    }
  }
});

test('json: the schema has teeth (wrong Exercism status, missing error message, unknown key)', () => {
  const good = toJsonReport(mixed);
  assert.equal(validate({ ...good, status: 'timeout' }), false);
  assert.equal(validate({ ...toJsonReport(notGradedEmpty), message: null }), false);
  assert.equal(validate({ ...good, message: 'only on error' }), false);
  assert.equal(validate({ ...good, extra: 1 }), false);
  assert.equal(validate({ ...good, tests: [{ ...good.tests[0], status: 'timeout' }] }), false);
});

test("json: Exercism's results.json v3 fields keep Exercism's meaning", () => {
  const report = toJsonReport(mixed);
  assert.equal(report.version, 3);
  assert.equal(report.status, 'fail');
  assert.equal(report.message, null, 'message is only for status error');
  assert.equal(report.runMessage, 'A test hung; the process was restarted.');
  assert.deepEqual(report.tests.map((t) => [t.name, t.status, t.verdict, t.task_id]), [
    ['creates the table', 'pass', 'pass', 1],
    ['counts | in <PostgreSQL>', 'fail', 'fail', 1],
    ['hangs', 'error', 'timeout', 2],
    ['counts in SQLite', 'error', 'error', 2],
  ]);
  assert.equal(report.tests[0]!.message, null);
  assert.equal(report.tests[1]!.message, HOSTILE, 'JSON carries any string; nothing is lost');
  assert.equal(report.tests[2]!.output, undefined, 'no output, no key');

  const error = toJsonReport(notGradedEmpty);
  assert.equal(error.status, 'error');
  assert.match(error.message ?? '', /could not be loaded/);
  assert.deepEqual(error.tests, []);
  assert.equal(error.passed, false);
});

test('json: output is cut to 500 characters, by code point, saying so', () => {
  const output = toJsonReport(mixed).tests[1]!.output!;
  assert.equal(Array.from(output).length, OUTPUT_LIMIT);
  assert.match(output, /\[output cut to 500 characters\]$/);
  assert.equal(capOutput('short'), 'short');
  // A cut through a surrogate pair would leave half a character.
  const emoji = capOutput('😀'.repeat(600));
  assert.ok(emoji.isWellFormed());
  assert.equal(capOutput('😀'.repeat(500)), '😀'.repeat(500));
});

test('json: score, pass mark and passed', () => {
  assert.deepEqual(pick(toJsonReport(mixed)), { score: 10, maxScore: 100, passMark: 100, passed: false });
  assert.deepEqual(pick(toJsonReport(mixed, { passMark: 10 })), { score: 10, maxScore: 100, passMark: 10, passed: true });
  assert.deepEqual(pick(toJsonReport(perfect)), { score: 100, maxScore: 100, passMark: 100, passed: true });
  assert.equal(toJsonReport(notGradedWithTests, { passMark: 0 }).passed, false, 'what could not be graded never passes');
});

function pick(r: { score: number; maxScore: number; passMark: number; passed: boolean }) {
  return { score: r.score, maxScore: r.maxScore, passMark: r.passMark, passed: r.passed };
}

// ---- JUnit -----------------------------------------------------------------------------

const XSD = readFileSync('src/reports/junit-report.xsd', 'utf8');

/** XML 1.0's Char production; anything else makes the document not well-formed. */
const XML_CHARS = /^[\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]*$/u;

test('junit: every report is well-formed XML 1.0 and valid against junit-report.xsd (libxml2)', async () => {
  const docs = Object.entries(ALL).map(([name, result]) => ({ fileName: `${name}.xml`, contents: formatJunit(result) }));
  for (const doc of docs) assert.match(doc.contents, XML_CHARS, `${doc.fileName} holds a character XML 1.0 forbids`);
  const validation = await validateXML({ xml: docs, schema: [XSD] });
  assert.ok(validation.valid, validation.rawOutput);
});

test('junit: the XSD has teeth (a dropped count, a bad character, an unescaped message)', async () => {
  const good = formatJunit(mixed);
  const broken = [
    good.replace(/ errors="\d+"/, ''),
    good.replace(/ classname="[^"]*"/, ''),
    good.replace('<testcase ', '<testcase x="1" '),
    good.replace(/ time="0\.012"/, ' time="soon"'),
    good.replace('Stopped after 2 s', 'Stopped \u0001 ]]> <b>'),
  ];
  for (const [i, contents] of broken.entries()) {
    const validation = await validateXML({ xml: [{ fileName: `broken-${i}.xml`, contents }], schema: [XSD] });
    assert.equal(validation.valid, false, `broken-${i} should not validate`);
  }
});

test('junit: counts, classnames by task, points in the name, failure vs error', () => {
  const xml = formatJunit(mixed, { passMark: 60 });
  assert.match(xml, /<testsuites name="counter" tests="4" failures="1" errors="2" skipped="0" time="1\.234">/);
  assert.match(xml, /<testcase name="creates the table \[10 pts\]" classname="counter\.task-1" time="0\.012">\n {6}<system-out>printed while passing<\/system-out>/);
  assert.match(formatJunit(perfect), /<testcase name="creates the table \[10 pts\]" classname="counter\.task-1" time="0\.001"\/>/);
  assert.match(xml, /<testcase name="counts \| in &lt;PostgreSQL&gt; \[40 pts\]" classname="counter\.task-1" time="0\.031">\n {6}<failure message="expected 1 &lt; 2 &amp;&amp; &quot;a&quot; &gt; &apos;b&apos; \]\]&gt; /);
  assert.match(xml, /<testcase name="hangs \[20 pts\]" classname="counter\.task-2" time="2\.000">\n {6}<error message="Stopped after 2 s" type="timeout">/);
  assert.match(xml, /<error message="expected 1 [^"]*" type="error">/);
  assert.match(xml, /<property name="passMark" value="60"\/>/);
  assert.match(xml, /<system-err>A test hung; the process was restarted\.<\/system-err>/);
  assert.match(xml, /<system-out>printed while passing<\/system-out>/);
});

test('junit: hostile text is escaped or removed, never left raw', () => {
  const xml = formatJunit(mixed);
  assert.ok(!xml.includes(']]>'), 'a literal ]]> is not allowed in element text');
  assert.ok(!xml.includes('<![CDATA['));
  assert.equal((xml.match(/<\/failure>/g) ?? []).length, 1);
  assert.ok(xml.includes('\u001b') === false && xml.includes('[31m') === false, 'colour codes go whole');
  assert.ok(xml.includes('lone surrogates: \ufffd and \ufffd; a pair: 😀'));
  assert.equal(xmlSafe('a\u0000b\u0007c\u001fd\ufffee'), 'abcde');
  assert.equal(xmlSafe('tab\tnl\ncr\r'), 'tab\tnl\ncr\r');
});

test('junit: a run that could not be graded and has no tests still reports an error, not zero tests', () => {
  const xml = formatJunit(notGradedEmpty);
  assert.match(xml, /<testsuites name="counter" tests="1" failures="0" errors="1"/);
  assert.match(xml, /<testcase name="the lab could be graded" classname="counter" time="0\.000">\n {6}<error message="The lab could not be loaded: expected 1 &lt; 2/);
});

// ---- GitHub ----------------------------------------------------------------------------

test('github: one annotation per test that did not pass, each one line, escaped as @actions/core does', () => {
  const { annotations } = formatGithub(mixed);
  assert.equal(annotations.length, 3);
  for (const line of annotations) {
    assert.ok(!/[\r\n]/.test(line), `an annotation must stay on one line: ${line}`);
    // Exactly one command: `::error title=<property>::<data>`; the property holds no ':' or ','.
    assert.match(line, /^::error title=[^:,]*::/);
  }
  assert.equal(annotations[0], '::error title=counter task 1%3A counts | in <PostgreSQL> (fail%2C 0/40)::' + escapeData(HOSTILE));
  assert.ok(annotations[0]!.includes('line 1%0D%0Aline 2%0A::set-output name=score::100%0A::add-mask::secret%0A%250A::error::forged'));
  assert.equal(escapeProperty('a:b,c%d\ne'), 'a%3Ab%2Cc%25d%0Ae');
  assert.equal(escapeData('50% done\r\n::x::'), '50%25 done%0D%0A::x::');
});

test('github: a hostile title cannot end the property list or the command', () => {
  const named = lab({ x: { status: 'fail', message: 'no', durationMs: 1 } }, [plan('x', 1, 5, 'evil::add-mask::x,file=.github\n::warning::y')]);
  const [line] = formatGithub(named).annotations;
  assert.equal(line, '::error title=counter task 1%3A evil%3A%3Aadd-mask%3A%3Ax%2Cfile=.github%0A%3A%3Awarning%3A%3Ay (fail%2C 0/5)::no');
});

test('github: the summary is a table of task, test, points and verdict, with the total and pass mark', () => {
  const { summary } = formatGithub(mixed, { passMark: 10 });
  const rows = summary.split('\n').filter((l) => l.startsWith('|'));
  assert.equal(rows.length, 2 + 4 + 1);
  for (const row of rows) assert.equal(row.split('|').length, 6, `a name must not add columns: ${row}`);
  assert.ok(rows.includes('| 1 | counts &#124; in &lt;PostgreSQL&gt; | 0/40 | ❌ fail |'));
  assert.ok(rows.includes('| 2 | hangs | 0/20 | ⏱️ timeout |'));
  assert.ok(rows.includes('| | **Total** | **10/100** | |'));
  assert.match(summary, /^### counter: 10\/100 \(passed\)$/m);
  assert.match(summary, /^Pass mark: 10\/100\.$/m);
  assert.match(formatGithub(mixed).summary, /\(below the pass mark\)/);
});

test('github: a run that could not be graded says so in an annotation', () => {
  const { annotations, summary } = formatGithub(notGradedEmpty);
  assert.equal(annotations.length, 1);
  assert.match(annotations[0]!, /^::error title=counter%3A could not be graded::The lab could not be loaded/);
  assert.match(summary, /could not be graded/);
  assert.ok(!summary.includes('<![CDATA['), 'HTML in a message is escaped');
});

// ---- Classroom -------------------------------------------------------------------------

function decode(base64: string): unknown {
  return JSON.parse(Buffer.from(base64, 'base64').toString('utf8'));
}

test('classroom: base64 of the runners\' result JSON, with per-test scores that sum to the score', () => {
  const encoded = formatClassroom(mixed);
  assert.match(encoded, /^[A-Za-z0-9+/]+=*$/, 'one line of base64, safe for result=... in $GITHUB_OUTPUT');
  const decoded = decode(encoded) as ReturnType<typeof toClassroomResult>;
  assert.deepEqual(decoded, toClassroomResult(mixed));
  assert.deepEqual(Object.keys(decoded), ['version', 'status', 'max_score', 'tests']);
  assert.deepEqual(Object.keys(decoded.tests[0]!), ['name', 'status', 'score', 'message', 'test_code', 'filename', 'line_no', 'duration']);
  assert.equal(decoded.version, 1);
  assert.equal(decoded.status, 'fail');
  assert.equal(decoded.max_score, 100);
  assert.deepEqual(decoded.tests.map((t) => [t.status, t.score, t.duration]), [['pass', 10, 12], ['fail', 0, 31], ['error', 0, 2000], ['error', 0, 5]]);
  assert.equal(decoded.tests.reduce((s, t) => s + t.score, 0), mixed.score);
  assert.equal(decoded.tests[1]!.message, HOSTILE, 'UTF-8 and control characters survive the round trip');
});

test('classroom: a run with nothing to grade still has one test, carrying the reason', () => {
  const decoded = decode(formatClassroom(notGradedEmpty)) as ReturnType<typeof toClassroomResult>;
  assert.equal(decoded.status, 'error');
  assert.equal(decoded.tests.length, 1);
  assert.equal(decoded.tests[0]!.status, 'error');
  assert.match(decoded.tests[0]!.message, /could not be loaded/);
  assert.equal((decode(formatClassroom(perfect)) as { status: string }).status, 'pass');
});

// ---- Pass mark and exit codes ----------------------------------------------------------

test('exit codes: 0 at or above the pass mark, 1 below, 2 when nothing could be graded', () => {
  assert.equal(exitCodeFor(perfect), EXIT.passed);
  assert.equal(exitCodeFor(mixed), EXIT.belowPassMark, 'the default pass mark is full marks');
  assert.equal(exitCodeFor(mixed, 10), EXIT.passed, 'exactly the pass mark passes');
  assert.equal(exitCodeFor(mixed, 10.5), EXIT.belowPassMark);
  assert.equal(exitCodeFor(notGradedWithTests, 0), EXIT.couldNotGrade);
  assert.deepEqual(EXIT, { passed: 0, belowPassMark: 1, couldNotGrade: 2 });
});

test('pretty: names the pass mark when it is not full marks', () => {
  assert.match(formatPretty(mixed, { passMark: 10 }), /Pass mark 10\/100: passed$/);
  assert.match(formatPretty(mixed, { passMark: 50 }), /Pass mark 50\/100: not reached$/);
  assert.doesNotMatch(formatPretty(mixed), /Pass mark/);
});

// ---- The list of reporters, as the grade command reads it ------------------------------

const grade = (args: string[]) => spawnSync(process.execPath, ['src/cli/grade.ts', ...args], { encoding: 'utf8', timeout: 60_000 });

test('registry: every reporter has its own name and something to write', () => {
  const names = REPORTERS.map((r) => r.name);
  assert.deepEqual([...new Set(names)], names, 'two reporters share a name');
  for (const reporter of REPORTERS) {
    assert.match(reporter.name, /^[a-z][a-z0-9-]*$/, 'a name that --reporter a,b can carry');
    assert.ok(reporter.parts.length > 0, `${reporter.name} writes nothing`);
  }
});

test("registry: grade's usage text lists every registered reporter with its help", () => {
  const run = grade(['--help']);
  assert.equal(run.status, EXIT.passed, run.stderr);
  for (const reporter of REPORTERS) {
    const [first, ...more] = reporter.help.split('\n');
    assert.match(run.stdout, new RegExp(`^ +${reporter.name} +${escapeRegExp(first!)}$`, 'm'), `--help lists ${reporter.name}`);
    for (const line of more) assert.match(run.stdout, new RegExp(`^ +${escapeRegExp(line)}$`, 'm'), `--help has the rest of ${reporter.name}'s help`);
  }
});

test('registry: an unknown reporter is refused with the usage exit code, naming every known one', () => {
  const run = grade(['counter', '--labs', 'tests/fixtures/labs', '--reporter', 'pretty,no-such-format']);
  assert.equal(run.status, EXIT.couldNotGrade);
  assert.equal(run.stdout, '', 'nothing is graded or reported');
  assert.ok(run.stderr.startsWith(`Unknown reporter "no-such-format": choose from ${REPORTERS.map((r) => r.name).join(', ')}.\n`), run.stderr);
  assert.match(run.stderr, /^Usage: npm run grade/m, 'the usage text follows');
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
