/**
 * Task 2: row-level security for the support tool. The tool connects as one ordinary role,
 * support_app, and says which agent a request comes from in the transaction setting
 * app.agent_id; the policy lets an agent see and write only customers of the agent's countries.
 */
import type { Pg, PgQueries } from 'labkit/db';

/** Grants support_app what the tool needs, and no more, and installs the policy on customers.customers. */
export async function installRowSecurity(db: Pg): Promise<void> {
  // TODO (task 2): the grants support_app needs, row-level security on customers.customers,
  // and a policy that reads the agent from the app.agent_id setting and its countries from support_scope.
  void db;
}

/**
 * Runs `fn` in one transaction as support_app on behalf of agent `agentId`. The role and the
 * setting are LOCAL: they end with the transaction, so the next request on the same
 * connection starts with no agent.
 */
export async function asAgent<T>(db: Pg, agentId: number, fn: (tx: PgQueries) => Promise<T>): Promise<T> {
  // TODO (task 2): switch to support_app and set the agent, for this transaction only.
  void agentId;
  return db.transaction(fn);
}
