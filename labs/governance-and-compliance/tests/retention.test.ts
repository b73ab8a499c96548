import type { Pg } from 'labkit/db';
import { expect, expectEqual, test } from 'labkit/test';
import { runRetention } from '../src/retention.ts';
import { freshShop, outcome } from './helpers.ts';

/**
 * The job runs at 01:30 UTC on 29 March 2026, half an hour after Paris moved its clocks to
 * summer time. 90 days before, counted in UTC, is 2025-12-29T01:30:00Z; counted in Paris
 * local time it would be an hour later. One month before, in UTC, is 2026-02-28T01:30:00Z.
 */
const NOW = new Date('2026-03-29T01:30:00.000Z');

const LOGINS = [
  // [id, customer, ip, at]
  [4, 'c-1', '198.51.100.7', '2026-03-27T08:00:00Z'], // recent
  [7, 'c-1', '198.51.100.9', '2025-12-29T01:29:59.999Z'], // 1 ms past 90 days: purged
  [11, 'c-3', '192.0.2.14', '2025-12-29T01:30:00.000Z'], // exactly 90 days: kept
  [12, 'c-3', '192.0.2.15', '2025-12-29T02:00:00Z'], // past 90 days in Paris time, not in UTC: kept
  [20, 'c-5', '2001:db8::5', '2025-06-01T12:00:00+02:00'], // long past: purged
  [21, 'c-2', '203.0.113.41', '2025-10-01T00:00:00Z'], // long past, but c-2 is under a legal hold: held
  [35, 'c-2', '203.0.113.40', '2026-03-20T00:00:00Z'], // recent, held anyway
] as const;

const EMAILS = [
  // [customer, recipient, subject, sent_at]; the policy is changed to 1 month
  ['c-1', 'amira@example.org', 'Votre facture', '2026-02-28T01:29:59Z'], // past one month: purged
  ['c-5', 'elodie@example.org', 'Votre commande', '2026-02-28T02:00:00Z'], // past a month in Paris time only: kept
  ['c-2', 'ben@example.org', 'Refund dispute', '2026-01-15T00:00:00Z'], // held
  ['c-9', 'jonas@example.org', 'Willkommen', '2026-03-28T00:00:00Z'], // recent
] as const;

async function withOldRows(): Promise<Pg> {
  const db = await freshShop();
  // The shop's servers run in Paris time; the policy's periods are counted in UTC all the same.
  await db.exec(`SET TimeZone = 'Europe/Paris'`);
  for (const [id, customer, ip, at] of LOGINS) await db.query('INSERT INTO customers.login_events (id, customer_id, ip_address, at) VALUES ($1, $2, $3, $4)', [id, customer, ip, at]);
  for (const [customer, recipient, subject, at] of EMAILS) await db.query('INSERT INTO notifications.sent_emails (customer_id, recipient, subject, sent_at) VALUES ($1, $2, $3, $4)', [customer, recipient, subject, at]);
  await db.exec(`SELECT setval(pg_get_serial_sequence('customers.login_events', 'id'), 40);
    UPDATE governance.retention_policies SET keep_for = interval '1 mon' WHERE table_name = 'notifications.sent_emails';
    INSERT INTO governance.legal_holds (customer_id, reason) VALUES ('c-2', 'refund dispute, case 2026-117');`);
  return db;
}

const ids = async (db: Pg, table: string) => (await db.query<{ id: number }>(`SELECT id FROM ${table} ORDER BY id`)).rows.map((r) => r.id);

const byTable = (report: { tables: { table: string; deleted: number; held: number }[] }) =>
  Object.fromEntries(report.tables.map((t) => [t.table, { deleted: t.deleted, held: t.held }]));

test('purges what is past the period its policy gives, counted in UTC, except rows under a legal hold, and reports the counts', { task: 5, points: 5 }, async () => {
  const db = await withOldRows();
  const report = await runRetention(db, { now: NOW });
  expectEqual(await ids(db, 'customers.login_events'), [4, 11, 12, 21, 35], 'ids left in customers.login_events (90 days before 2026-03-29T01:30Z in UTC is 2025-12-29T01:30Z; a row exactly that old stays; c-2 is under a legal hold)');
  const { rows } = await db.query<{ customer_id: string }>('SELECT customer_id FROM notifications.sent_emails ORDER BY customer_id');
  expectEqual(rows.map((r) => r.customer_id), ['c-2', 'c-5', 'c-9'], "customers whose sent emails are left, with the policy changed to '1 mon' (one month before, in UTC, is 2026-02-28T01:30Z)");
  expectEqual(
    byTable(report),
    { 'customers.login_events': { deleted: 2, held: 1 }, 'notifications.sent_emails': { deleted: 1, held: 1 } },
    'the report by table: rows deleted, and rows past their period kept by a legal hold',
  );
  expect(report.deleted, 'report.deleted, over all tables').toBe(3);
});

test('a second run purges nothing, and neither the report nor the log names a row or a person', { task: 5, points: 4 }, async () => {
  const db = await withOldRows();
  const lines: string[] = [];
  const first = await runRetention(db, { now: NOW, log: (line) => lines.push(line) });
  const second = await runRetention(db, { now: NOW, log: (line) => lines.push(line) });
  expectEqual(byTable(second), { 'customers.login_events': { deleted: 0, held: 1 }, 'notifications.sent_emails': { deleted: 0, held: 1 } }, 'the second run at the same time: nothing left to purge');
  expect(lines.length, 'log lines over two runs (at least one a run)').toBeGreaterThanOrEqual(2);
  const text = JSON.stringify({ first, second, lines });
  const personal = [...LOGINS.flatMap(([id, c, ip]) => [c, ip, `"id":${id}`]), ...EMAILS.flatMap(([c, r]) => [c, r])];
  expectEqual([...new Set(personal.filter((p) => text.includes(p)))], [], 'customer ids, IP addresses, email addresses or row ids found in the reports or the log lines');
  await db.query(`DELETE FROM governance.legal_holds WHERE customer_id = 'c-2'`);
  const released = await runRetention(db, { now: NOW });
  expectEqual(byTable(released), { 'customers.login_events': { deleted: 1, held: 0 }, 'notifications.sent_emails': { deleted: 1, held: 0 } }, 'a run once the legal hold on c-2 is lifted');
});

test('deletes in batches of at most batchSize, each its own transaction: a crash keeps the batches before it, and the next run finishes', { task: 5, points: 6 }, async () => {
  const db = await withOldRows();
  // 23 more old logins, and a trigger that notes each DELETE's size and fails the third one that removes rows.
  await db.exec(`
    INSERT INTO customers.login_events (customer_id, ip_address, at)
      SELECT 'c-' || (100 + g), ('10.0.' || g || '.1')::inet, timestamptz '2025-01-01T00:00:00Z' + g * interval '1 hour' FROM generate_series(1, 23) g;
    DROP TABLE IF EXISTS public.batch_sizes; DROP SEQUENCE IF EXISTS public.delete_statements;
    CREATE TABLE public.batch_sizes (n int NOT NULL);
    CREATE SEQUENCE public.delete_statements;
    CREATE OR REPLACE FUNCTION public.note_batch() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE k int;
      BEGIN
        SELECT count(*) INTO k FROM gone;
        IF k > 0 THEN
          INSERT INTO public.batch_sizes VALUES (k);
          IF nextval('public.delete_statements') = 3 THEN RAISE EXCEPTION 'simulated crash: the server went away during a batch'; END IF;
        END IF;
        RETURN NULL;
      END $$;
    CREATE TRIGGER note_batch AFTER DELETE ON customers.login_events REFERENCING OLD TABLE AS gone
      FOR EACH STATEMENT EXECUTE FUNCTION public.note_batch();`);
  const eligible = 25; // ids 7 and 20, and the 23 rows just added
  const left = async () => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM customers.login_events WHERE at < '2025-12-29T01:30:00Z' AND customer_id <> 'c-2'`)).rows[0]!.n;
  await outcome(runRetention(db, { now: NOW, batchSize: 10 }));
  const purged = eligible - (await left());
  expect(purged, 'old login events purged by a run whose third batch crashed (batchSize 10, 25 due): the two batches before it stay done').toBe(20);
  const last = await runRetention(db, { now: NOW, batchSize: 10 });
  expect(await left(), 'old login events left after the next run').toBe(0);
  expect(byTable(last)['customers.login_events']!.deleted, 'deleted by the next run: the rest').toBe(eligible - purged);
  const { rows } = await db.query<{ n: number }>('SELECT n FROM public.batch_sizes');
  expectEqual(rows.filter((r) => r.n > 10), [], 'DELETE statements on customers.login_events that removed more than batchSize (10) rows');
  expect(await ids(db, 'customers.login_events').then((l) => l.filter((id) => id === 21 || id === 35)), 'the held rows of c-2').toEqual([21, 35]);
});
