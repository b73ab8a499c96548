/**
 * CI-only checks: the graded tests' behaviour on column names, scopes and times drawn from the
 * run's seed, so an answer fitted to the visible examples fails in CI.
 */
import { ciCheck, expectEqual } from 'labkit/test';
import { catalogProblems, classifyShop } from '../../src/catalog.ts';
import { installRowSecurity } from '../../src/row-security.ts';
import { runRetention } from '../../src/retention.ts';
import { SERVICES } from '../../src/shop.ts';
import { freshShop, visibleIds } from '../helpers.ts';

const PIECES = ['note', 'Ä', 'é', 'x', 'Ref', '言語', '_', 'code', 'ß', '2'];

ciCheck('a column added to a table, or a new table, is named as unclassified', async ({ random }) => {
  const db = await freshShop();
  await classifyShop(db);
  const { rows: tables } = await db.query<{ s: string; t: string }>(
    `SELECT table_schema::text AS s, table_name::text AS t FROM information_schema.tables WHERE table_schema = ANY($1::text[]) ORDER BY 1, 2`,
    [[...SERVICES]],
  );
  const added: { service: string; table: string; column: string }[] = [];
  for (let i = 0; i < 4; i++) {
    const { s, t } = tables[Math.floor(random() * tables.length)]!;
    const column = `${PIECES[Math.floor(random() * PIECES.length)]}${PIECES[Math.floor(random() * PIECES.length)]}_${i}`;
    await db.exec(`ALTER TABLE "${s}"."${t}" ADD COLUMN "${column}" text`);
    added.push({ service: s, table: t, column });
  }
  const key = (r: { service: string; table: string; column: string }) => `${r.service}.${r.table}.${r.column}`;
  const found = (await catalogProblems(db)).unclassified.map(key).sort();
  expectEqual(found, added.map(key).sort(), `catalogProblems(db).unclassified after adding the columns ${added.map(key).join(', ')}`);
});

ciCheck('as support_app, an agent sees exactly the customers of the countries in its scope', async ({ random }) => {
  const db = await freshShop();
  await installRowSecurity(db);
  await db.exec('DELETE FROM customers.support_scope');
  const countries = ['FR', 'BE', 'DE', 'NL'];
  const { rows } = await db.query<{ customer_id: string; country: string }>('SELECT customer_id, country FROM customers.customers');
  for (const agent of [3, 41, 977]) {
    const mine = countries.filter(() => random() < 0.5);
    for (const c of mine) await db.query('INSERT INTO customers.support_scope VALUES ($1, $2)', [agent, c]);
    const expected = rows.filter((r) => mine.includes(r.country)).map((r) => r.customer_id).sort();
    expectEqual(await visibleIds(db, agent), expected, `customers agent ${agent} sees with the scope ${JSON.stringify(mine)}`);
  }
});

ciCheck('purges what is past the period its policy gives, counted in UTC, except rows under a legal hold, and reports the counts', async ({ random }) => {
  const db = await freshShop();
  await db.exec(`SET TimeZone = 'America/Santiago'`);
  const now = new Date(Date.UTC(2026, Math.floor(random() * 12), 1 + Math.floor(random() * 27), Math.floor(random() * 24), Math.floor(random() * 60)));
  const cutoff = now.getTime() - 90 * 86_400_000;
  let expectedDeleted = 0;
  let expectedHeld = 0;
  await db.query(`INSERT INTO governance.legal_holds (customer_id, reason) VALUES ('c-held', 'investigation')`);
  for (let i = 0; i < 30; i++) {
    const at = cutoff + Math.floor((random() - 0.5) * 4 * 3_600_000);
    const exact = random() < 0.15 ? cutoff : at;
    const customer = random() < 0.2 ? 'c-held' : `c-${i * 3}`;
    if (exact < cutoff) {
      if (customer === 'c-held') expectedHeld += 1;
      else expectedDeleted += 1;
    }
    await db.query('INSERT INTO customers.login_events (customer_id, ip_address, at) VALUES ($1, $2, $3)', [customer, `10.1.0.${i}`, new Date(exact)]);
  }
  const batchSize = 1 + Math.floor(random() * 7);
  const report = await runRetention(db, { now, batchSize });
  const logins = report.tables.find((t) => t.table === 'customers.login_events');
  expectEqual({ deleted: logins?.deleted, held: logins?.held }, { deleted: expectedDeleted, held: expectedHeld }, `customers.login_events in the report of a run at ${now.toISOString()} (batchSize ${batchSize}, 90 days before is ${new Date(cutoff).toISOString()})`);
});
