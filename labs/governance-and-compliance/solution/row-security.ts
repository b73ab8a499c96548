/**
 * Task 2: row-level security for the support tool. The tool connects as one ordinary role,
 * support_app, and says which agent a request comes from in the transaction setting
 * app.agent_id; the policy lets an agent see and write only customers of the agent's countries.
 */
import type { Pg, PgQueries } from 'labkit/db';
import { AGENT_SETTING, SUPPORT_ROLE } from './shop.ts';

/** Grants support_app what the tool needs, and no more, and installs the policy on customers.customers. */
export async function installRowSecurity(db: Pg): Promise<void> {
  await db.exec(`
    GRANT USAGE ON SCHEMA customers TO ${SUPPORT_ROLE};
    GRANT SELECT, INSERT, UPDATE ON customers.customers TO ${SUPPORT_ROLE};
    GRANT SELECT ON customers.support_scope TO ${SUPPORT_ROLE};
    ALTER TABLE customers.customers ENABLE ROW LEVEL SECURITY;
    -- current_setting(..., true) is NULL in a session that never set the name, and '' after a
    -- transaction that SET LOCAL it: nullif folds both into NULL, which matches no agent, so
    -- a request without an agent sees nothing rather than failing on ''::integer.
    -- With USING only, the same condition checks new rows of INSERT and UPDATE (42501).
    CREATE POLICY agent_countries ON customers.customers
      USING (country IN (SELECT s.country FROM customers.support_scope s
                          WHERE s.agent_id = nullif(current_setting('${AGENT_SETTING}', true), '')::integer));`);
}

/**
 * Runs `fn` in one transaction as support_app on behalf of agent `agentId`. The role and the
 * setting are LOCAL: they end with the transaction, so the next request on the same
 * connection starts with no agent.
 */
export async function asAgent<T>(db: Pg, agentId: number, fn: (tx: PgQueries) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT set_config($1, $2, true)', [AGENT_SETTING, String(agentId)]);
    await tx.exec(`SET LOCAL ROLE ${SUPPORT_ROLE}`);
    return fn(tx);
  });
}
