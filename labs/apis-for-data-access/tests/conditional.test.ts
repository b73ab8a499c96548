import { expect, expectEqual, test } from 'labkit/test';
import { OPERATIONS, orderFromRow, STATUSES, type OperationName } from '../src/shop.ts';
import { expectFieldErrors, expectProblem, insertRows, LODZ, shop, showAnswer, storedRow, type Shop } from './helpers.ts';

const STRONG = /^"[\x21\x23-\x7e]*"$/;

async function seeded(): Promise<Shop> {
  const s = await shop();
  await insertRows(s.db, [
    { id: 900_001, at: '2026-03-29 03:30:00.250001+02', customerId: LODZ.id, lines: [{ sku: 'THÉ-東京', qty: 2 }], note: 'côté cour' },
    { id: 900_009, at: '2026-03-29 01:31:00+00' },
    { id: 900_017, at: '2026-03-28 22:45:00.5-03:00', status: 'paid' },
  ]);
  return s;
}

async function etagOf(s: Shop, id: number): Promise<string> {
  const answer = await s.request('GET', `/orders/${id}`);
  expect(answer.status, `GET /orders/${id}; got ${showAnswer(answer).slice(0, 200)}`).toBe(200);
  const etag = answer.headers.get('ETag');
  expect(etag !== null && STRONG.test(etag), `GET /orders/${id} sends a strong ETag ("..." without W/, no spaces); got ${JSON.stringify(etag)}`).toBe(true);
  return etag!;
}

const ifMatchHeader = (ifMatch?: string): Record<string, string> => (ifMatch === undefined ? {} : { 'If-Match': ifMatch });
const patch = (s: Shop, id: number | string, body: unknown, ifMatch?: string) => s.request('PATCH', `/orders/${id}`, { body, headers: ifMatchHeader(ifMatch) });
/** POST /orders/:id/<operation>, with no body. */
const operate = (s: Shop, id: number | string, operation: OperationName, ifMatch?: string) => s.request('POST', `/orders/${id}/${operation}`, { headers: ifMatchHeader(ifMatch) });
/** The operations the README names. */
const NAMES: readonly OperationName[] = ['pay', 'ship', 'cancel'];

test('GET sends a strong ETag, and If-None-Match with it gives 304 with no body', { task: 3, points: 3 }, async () => {
  const s = await seeded();
  const answer = await s.request('GET', '/orders/900001');
  const { rows } = await s.db.query('SELECT * FROM orders WHERE id = 900001');
  expectEqual(answer.json, orderFromRow(rows[0]!), 'GET /orders/900001: the order as orderFromRow shows it');
  const etag = await etagOf(s, 900_001);
  expect(await etagOf(s, 900_001), 'a second GET of the unchanged order: the same ETag').toBe(etag);
  await s.network.restart('orders');
  expect(await etagOf(s, 900_001), 'GET of the unchanged order after Orders restarted: the same ETag').toBe(etag);
  for (const [header, how] of [
    [etag, 'the current ETag'],
    [`W/${etag}`, 'the current ETag in its weak form: If-None-Match compares weakly'],
    [`"nope", ${etag}`, 'a list with the current ETag'],
    ['*', 'any existing order'],
  ]) {
    const cached = await s.request('GET', '/orders/900001', { headers: { 'If-None-Match': header! } });
    expect(cached.status, `GET /orders/900001 with If-None-Match: ${header} (${how}); got ${showAnswer(cached).slice(0, 200)}`).toBe(304);
    expect(cached.text, 'the body of a 304').toBe('');
    expect(cached.headers.get('ETag'), 'the ETag header of a 304').toBe(etag);
  }
  for (const header of ['"not-this-one"', `"x", W/"y"`, `${etag.slice(0, -1)}0"`]) {
    const stale = await s.request('GET', '/orders/900001', { headers: { 'If-None-Match': header } });
    expect(stale.status, `GET /orders/900001 with If-None-Match: ${header} (not the current ETag); got ${showAnswer(stale).slice(0, 200)}`).toBe(200);
    expectEqual(stale.json, orderFromRow(rows[0]!), 'the body of that 200');
    expect(stale.headers.get('ETag'), 'the ETag header of that 200').toBe(etag);
  }
  expect((await s.request('GET', '/orders/900002', { headers: { 'If-None-Match': '*' } })).status, 'GET /orders/900002 (no such order) with If-None-Match: *').toBe(404);
});

test('every change changes the ETag: a PATCH, an operation, or a change straight in the database', { task: 3, points: 4 }, async () => {
  const s = await seeded();
  const e0 = await etagOf(s, 900_001);
  const patched = await patch(s, 900_001, { note: 'leave with the neighbour, Ünal' }, e0);
  expect(patched.status, `PATCH /orders/900001 {note} with the current If-Match; got ${showAnswer(patched).slice(0, 200)}`).toBe(200);
  expect(patched.json?.note, 'the note in the PATCH answer').toBe('leave with the neighbour, Ünal');
  const e1 = patched.headers.get('ETag');
  expect(e1 !== null && e1 !== e0, `the ETag of the PATCH answer: a new one (before: ${e0}, after: ${e1})`).toBe(true);
  expect(await etagOf(s, 900_001), 'GET after the PATCH: the ETag the PATCH answered with').toBe(e1);
  const paid = await operate(s, 900_001, 'pay', e1!);
  expect(paid.status, `POST /orders/900001/pay with the current If-Match; got ${showAnswer(paid).slice(0, 200)}`).toBe(200);
  const e2 = paid.headers.get('ETag');
  expect(e2 !== null && e2 !== e0 && e2 !== e1, `the ETag of the pay answer: a new one (before: ${e1}, after: ${e2})`).toBe(true);
  expect(await etagOf(s, 900_001), 'GET after pay: the ETag pay answered with').toBe(e2);

  const seen = [e0, e1!, e2!];
  for (const [sql, what] of [
    ["UPDATE orders SET note = 'fragile: 陶器' WHERE id = 900001", 'a script changed the note'],
    [`UPDATE orders SET lines = '[{"sku":"THÉ-東京","qty":3}]' WHERE id = 900001`, 'a script changed the lines'],
    ["UPDATE orders SET status = 'placed' WHERE id = 900001", 'a script changed the status'],
  ]) {
    const before = seen[seen.length - 1]!;
    await s.db.query(sql!);
    const after = await etagOf(s, 900_001);
    expect(seen.includes(after), `GET /orders/900001 after ${what} straight in the database (${sql}): the ETag must change; it is still ${after}. Derive it from something every change changes: a trigger that raises version, or a hash of the order.`).toBe(false);
    const revalidated = await s.request('GET', '/orders/900001', { headers: { 'If-None-Match': before } });
    expect(revalidated.status, `GET with If-None-Match: the ETag from before ${what}`).toBe(200);
    expectProblem(await patch(s, 900_001, { note: 'overwrites what the script did' }, before), 'precondition-failed', `PATCH with If-Match: the ETag from before ${what}`);
    expectProblem(await operate(s, 900_001, 'cancel', before), 'precondition-failed', `POST /orders/900001/cancel with If-Match: the ETag from before ${what}`);
    seen.push(after);
  }
  const row = await storedRow(s.db, 900_001);
  expect([row?.note, row?.status], "the note and status after the stale requests: the script's").toEqual(['fragile: 陶器', 'placed']);
});

test('without If-Match 428, with a stale or weak one 412, for an unknown order 404, and nothing changes', { task: 3, points: 4 }, async () => {
  const s = await seeded();
  const before = await storedRow(s.db, 900_009);
  const current = await etagOf(s, 900_009);
  const requests: [string, (ifMatch?: string) => ReturnType<typeof patch>][] = [
    ['PATCH /orders/900009 {note}', (ifMatch) => patch(s, 900_009, { note: 'à livrer' }, ifMatch)],
    ...NAMES.map((name): [string, (ifMatch?: string) => ReturnType<typeof patch>] => [`POST /orders/900009/${name}`, (ifMatch) => operate(s, 900_009, name, ifMatch)]),
  ];
  for (const [what, send] of requests) {
    const also = what.endsWith('ship') ? ' (a placed order cannot be shipped, but the precondition is checked first)' : '';
    expectProblem(await send(), 'precondition-required', `${what} without If-Match${also}`);
    expectProblem(await send('*'), 'precondition-required', `${what} with If-Match: * (it names no version)${also}`);
    expectProblem(await send('"nope"'), 'precondition-failed', `${what} with If-Match: "nope"${also}`);
    expectProblem(await send(`W/${current}`), 'precondition-failed', `${what} with If-Match: W/${current} (a weak tag never matches strongly)${also}`);
  }
  expectEqual(await storedRow(s.db, 900_009), before, 'order 900009 in the database after refused requests: unchanged, version included');

  for (const [what, answer] of [
    ['PATCH /orders/900005 (no such order) with an If-Match', await patch(s, 900_005, { note: 'x' }, current)],
    ['PATCH /orders/900005 (no such order) without If-Match', await patch(s, 900_005, { note: 'x' })],
    ['PATCH /orders/900005 (no such order) with a body that is not JSON', await patch(s, 900_005, '{"note": ', current)],
    ['POST /orders/900005/cancel (no such order) with an If-Match', await operate(s, 900_005, 'cancel', current)],
    ['POST /orders/900005/pay (no such order) without If-Match', await operate(s, 900_005, 'pay')],
    ['POST /orders/0900009/cancel (a leading zero names no order)', await operate(s, '0900009', 'cancel', current)],
    ['POST /orders/abc/ship', await operate(s, 'abc', 'ship', current)],
  ] as const) {
    expectProblem(answer, 'not-found', `${what}: an unknown order is 404 before any precondition`);
  }
  expectEqual(await storedRow(s.db, 900_009), before, 'order 900009 after requests to other ids: unchanged');

  // Ana cancels; Ben's screen still holds the ETag from before.
  const ana = await operate(s, 900_009, 'cancel', current);
  expect(ana.status, `Ana's POST /orders/900009/cancel with the current ETag; got ${showAnswer(ana).slice(0, 200)}`).toBe(200);
  const afterAna = await storedRow(s.db, 900_009);
  expectProblem(await operate(s, 900_009, 'pay', current), 'precondition-failed', "Ben's POST /orders/900009/pay with the ETag from before Ana's cancel (a stale If-Match is 412, even when the status would also refuse it)");
  expectProblem(await patch(s, 900_009, { note: 'ship today' }, current), 'precondition-failed', "Ben's PATCH {note} with the ETag from before Ana's cancel");
  expectEqual(await storedRow(s.db, 900_009), afterAna, "order 900009 after Ben's stale requests: as Ana left it");
});

test("a matching ETag does not allow an operation the order's state forbids (409)", { task: 3, points: 3 }, async () => {
  const s = await seeded();
  for (const from of STATUSES) {
    for (const name of NAMES) {
      await s.db.query('UPDATE orders SET status = $1 WHERE id = 900001', [from]);
      const etag = await etagOf(s, 900_001);
      const before = await storedRow(s.db, 900_001);
      const answer = await operate(s, 900_001, name, etag);
      const { from: allowedFrom, to } = OPERATIONS[name];
      if (allowedFrom.includes(from)) {
        expect(answer.status, `POST /orders/900001/${name} on a ${from} order with the current ETag (allowed); got ${showAnswer(answer).slice(0, 200)}`).toBe(200);
        const { rows } = await s.db.query('SELECT * FROM orders WHERE id = 900001');
        expectEqual(answer.json, orderFromRow(rows[0]!), `the answer to ${name} on a ${from} order: the changed order as orderFromRow shows it`);
        expect(answer.json?.status, `status in the answer to ${name} on a ${from} order`).toBe(to);
        const etagAfter = answer.headers.get('ETag');
        expect(etagAfter !== etag && etagAfter === (await etagOf(s, 900_001)), `the ETag of the answer to ${name} on a ${from} order: the new one that GET sends (before: ${etag}, answered: ${etagAfter})`).toBe(true);
      } else {
        expectProblem(answer, 'invalid-transition', `POST /orders/900001/${name} on a ${from} order with the current ETag (${name} starts only from ${allowedFrom.join(' or ')})`);
        expectEqual(await storedRow(s.db, 900_001), before, `the order after the refused ${name} of a ${from} order: unchanged`);
      }
    }
  }
  // Ben reloaded the cancelled order and tries again with its current ETag.
  await s.db.query("UPDATE orders SET status = 'cancelled' WHERE id = 900001");
  expectProblem(await operate(s, 900_001, 'ship', await etagOf(s, 900_001)), 'invalid-transition', 'POST /orders/900001/ship on a cancelled order with its current ETag');
  for (const status of ['cancelled', 'shipped']) {
    await s.db.query('UPDATE orders SET status = $1 WHERE id = 900001', [status]);
    const note = await patch(s, 900_001, { note: `refund sent: ${status}` }, await etagOf(s, 900_001));
    expect(note.status, `PATCH {note} on a ${status} order (a note is not a state change); got ${showAnswer(note).slice(0, 200)}`).toBe(200);
    expect([note.json?.note, note.json?.status], `note and status in the answer to that PATCH`).toEqual([`refund sent: ${status}`, status]);
  }
});

test('requests sent at once with the same ETag: one wins, the others get 412', { task: 3, points: 4 }, async () => {
  const s = await seeded();
  for (let round = 0; round < 6; round++) {
    const from = round % 2 === 0 ? 'placed' : 'paid';
    await s.db.query('UPDATE orders SET status = $1 WHERE id = 900009', [from]);
    const etag = await etagOf(s, 900_009);
    const before = await storedRow(s.db, 900_009);
    const moves: { what: string; note?: string; operation?: OperationName }[] = [
      { what: `PATCH {note: Ana ${round}}`, note: `Ana ${round}` },
      { what: `PATCH {note: Chloé ${round}}`, note: `Chloé ${round}` },
      ...NAMES.filter((name) => OPERATIONS[name].from.includes(from)).map((operation) => ({ what: `POST ${operation}`, operation })),
    ];
    // Round 0 puts the PATCHes first, round 1 the operations, and so on.
    if (round % 3 === 1) moves.reverse();
    const answers = await Promise.all(moves.map((m) => (m.operation ? operate(s, 900_009, m.operation, etag) : patch(s, 900_009, { note: m.note }, etag))));
    const statuses = answers.map((a) => a.status);
    expect([...statuses].sort(), `${moves.map((m) => m.what).join(', ')} sent at once to a ${from} order with the same If-Match (round ${round}): their statuses ${JSON.stringify(statuses)}; exactly one may win, the others get 412`).toEqual([200, ...moves.slice(1).map(() => 412)]);
    for (const loser of answers.filter((a) => a.status === 412)) expectProblem(loser, 'precondition-failed', 'a request that lost the race');
    const winner = moves[statuses.indexOf(200)]!;
    const after = await storedRow(s.db, 900_009);
    const expected = winner.operation ? [before?.note, OPERATIONS[winner.operation].to] : [winner.note, from];
    expect([after?.note, after?.status], `the note and status after round ${round}: the winner's change (${winner.what}) and nothing of the losers'`).toEqual(expected);
  }
});

test('PATCH takes only a note: 400 for broken JSON, 422 listing the wrong fields, status among them', { task: 3, points: 2 }, async () => {
  const s = await seeded();
  const before = await storedRow(s.db, 900_009);
  const etag = await etagOf(s, 900_009);
  expectProblem(await patch(s, 900_009, '{"note": "x"', etag), 'malformed-json', 'PATCH with the body {"note": "x"');
  for (const [body, fields] of [
    [{}, ['note']],
    [[], ['']],
    [null, ['']],
    ['"cancelled"', ['']],
    [{ status: 'cancelled' }, ['note', 'status']],
    [{ note: 'cancel it, please', status: 'cancelled' }, ['status']],
    [{ note: null }, ['note']],
    [{ note: 42 }, ['note']],
    [{ note: 'é'.repeat(501) }, ['note']],
    [{ note: 'x', priority: 'high' }, ['priority']],
  ] as [unknown, string[]][]) {
    const what = `PATCH /orders/900009 with ${JSON.stringify(body).slice(0, 80)}`;
    expectFieldErrors(expectProblem(await patch(s, 900_009, body, etag), 'validation-failed', what), fields, what);
  }
  expectEqual(await storedRow(s.db, 900_009), before, 'order 900009 after invalid PATCHes: unchanged, its status too');
  const longest = await patch(s, 900_009, { note: '東'.repeat(500) }, etag);
  expect(longest.status, `PATCH with a 500-character note (valid); got ${showAnswer(longest).slice(0, 200)}`).toBe(200);
  const empty = await patch(s, 900_009, { note: '' }, longest.headers.get('ETag') ?? '');
  expect(empty.status, `PATCH {note: ""} (clearing the note is valid); got ${showAnswer(empty).slice(0, 200)}`).toBe(200);
  expect((await storedRow(s.db, 900_009))?.status, 'the status after the PATCHes: as it was').toBe(before?.status);
});
