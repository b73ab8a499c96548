/**
 * The twelve data-management strategies the course teaches, in teaching order.
 * `slug` is the stable id of a strategy's lesson (src/content/docs/lessons/<slug>.mdx). It is not
 * a lab id: a lab belongs to the strategy its lab.json names, and src/course/catalog.ts joins
 * strategies, lessons and labs.
 */
export interface Strategy {
  number: number;
  slug: string;
  title: string;
  /** One line for the home page: the problem the strategy answers. */
  line: string;
}

export const strategies: readonly Strategy[] = [
  { number: 1, slug: 'database-per-service', title: 'Database per service', line: 'Each service owns its data and no other service reads its tables.' },
  { number: 2, slug: 'polyglot-persistence', title: 'Polyglot persistence', line: 'Pick the store that fits each access pattern instead of one database for all.' },
  { number: 3, slug: 'event-sourcing', title: 'Event sourcing', line: 'Store what happened as an append-only log of events and derive state from it.' },
  { number: 4, slug: 'cqrs', title: 'CQRS', line: 'Separate the model that accepts writes from the models that answer reads.' },
  { number: 5, slug: 'asynchronous-messaging', title: 'Asynchronous communication', line: 'Outbox, idempotent consumers, retries and dead letters for reliable messaging.' },
  { number: 6, slug: 'apis-for-data-access', title: 'APIs for data access', line: 'Validation, pagination, concurrency control and idempotency at the service boundary.' },
  { number: 7, slug: 'sagas', title: 'Data consistency with sagas', line: 'Keep data consistent across services with sagas and compensating transactions.' },
  { number: 8, slug: 'materialized-views', title: 'Aggregation and materialized views', line: 'Answer cross-service queries from views kept up to date by events.' },
  { number: 9, slug: 'governance-and-compliance', title: 'Data governance and compliance', line: 'Classification, retention, right to erasure and audit across services.' },
  { number: 10, slug: 'monitoring-and-observability', title: 'Monitoring and observability', line: 'Trace requests and messages, measure RED metrics, detect divergence.' },
  { number: 11, slug: 'backup-and-recovery', title: 'Backup and disaster recovery', line: 'Verified backups, restore drills, point-in-time recovery and failover.' },
  { number: 12, slug: 'data-security', title: 'Data security', line: 'Encryption with key rotation, injection-proof queries, least privilege, secrets.' },
];

export function strategyByNumber(n: number): Strategy {
  const found = strategies.find((s) => s.number === n);
  if (!found) throw new Error(`There is no strategy number ${n}; the course has strategies 1 to ${strategies.length}.`);
  return found;
}
