/**
 * The Customers service: it owns the `customers` schema, answers `GET /customers/:id` on the
 * labkit network, and publishes an event on the bus for every change. It reads and writes the
 * customer's name through name-columns.ts, so that its name change (task 4) can move from one
 * column to two while its API and its events stay the same.
 */
import type { Bus } from 'labkit/bus';
import type { Pg, PgQueries, Row } from 'labkit/db';
import { defineService, Hono } from 'labkit/service';
import { nameColumns, readName } from './name-columns.ts';
import { CUSTOMER_EVENTS_TOPIC, type CustomerEvent, type CustomerEventType, type CustomerSnapshot, type Phase } from './shop.ts';

export class Customers {
  /** The phase the running code was deployed for; a test moves it as it runs each step. */
  phase: Phase = 'original';

  /** Customers' own schema: `await pgSchema('customers')`. */
  readonly db: Pg;
  readonly bus: Bus;

  constructor(db: Pg, bus: Bus) {
    this.db = db;
    this.bus = bus;
  }

  /** The customer as the API and the events show it, or undefined. */
  async get(customerId: number): Promise<CustomerSnapshot | undefined> {
    const { rows } = await this.db.query('SELECT * FROM customers WHERE id = $1', [customerId]);
    return rows[0] ? this.snapshot(rows[0]) : undefined;
  }

  /** Every customer, by id. */
  async all(): Promise<CustomerSnapshot[]> {
    const { rows } = await this.db.query('SELECT * FROM customers ORDER BY id');
    return rows.map((row) => this.snapshot(row));
  }

  async register(customerId: number, name: string, email: string, country: string): Promise<CustomerSnapshot> {
    const columns = this.columnsFor(name);
    const names = Object.keys(columns);
    const values = Object.values(columns);
    const placeholders = names.map((_, i) => `$${i + 5}`);
    await this.db.query(
      `INSERT INTO customers (id, email, country, version, ${names.join(', ')}) VALUES ($1, $2, $3, $4, ${placeholders.join(', ')})`,
      [customerId, email, country, 1, ...values],
    );
    return this.publish('CustomerRegistered', customerId);
  }

  async rename(customerId: number, name: string): Promise<CustomerSnapshot> {
    const columns = this.columnsFor(name);
    const sets = Object.keys(columns).map((column, i) => `${column} = $${i + 2}`);
    await this.db.query(`UPDATE customers SET ${sets.join(', ')}, version = version + 1 WHERE id = $1`, [customerId, ...Object.values(columns)]);
    return this.publish('CustomerRenamed', customerId);
  }

  async move(customerId: number, country: string): Promise<CustomerSnapshot> {
    await this.db.query('UPDATE customers SET country = $2, version = version + 1 WHERE id = $1', [customerId, country]);
    return this.publish('CustomerMoved', customerId);
  }

  /** Runs one step of the name change as Customers' role, in one transaction. */
  async runStep(sql: string, phase: Exclude<Phase, 'original'>): Promise<void> {
    await this.db.transaction((tx: PgQueries) => tx.exec(sql));
    this.phase = phase;
  }

  private columnsFor(name: string): Record<string, string> {
    if (this.phase === 'original') return { name };
    const columns = nameColumns(name, this.phase);
    for (const column of Object.keys(columns)) {
      if (!['name', 'given_name', 'family_name'].includes(column)) throw new Error(`nameColumns returned the column "${column}"; only name, given_name and family_name exist`);
    }
    return columns;
  }

  private snapshot(row: Row): CustomerSnapshot {
    const name = this.phase === 'original' ? String(row.name) : readName(row, this.phase);
    return { customerId: Number(row.id), name, country: String(row.country), version: Number(row.version) };
  }

  private async publish(type: CustomerEventType, customerId: number): Promise<CustomerSnapshot> {
    const snapshot = await this.get(customerId);
    if (!snapshot) throw new Error(`customer ${customerId} does not exist`);
    this.bus.publish<CustomerEvent>(CUSTOMER_EVENTS_TOPIC, { key: String(customerId), payload: { type, ...snapshot } });
    return snapshot;
  }
}

/** Customers' API: `GET /customers/:id` answers the snapshot (200) or 404. */
export const customersService = defineService({
  name: 'customers',
  create: ({ customers }: { customers: Customers }) =>
    new Hono().get('/customers/:id', async (c) => {
      const id = Number(c.req.param('id'));
      const customer = Number.isSafeInteger(id) ? await customers.get(id) : undefined;
      return customer ? c.json(customer) : c.json({ error: `no customer ${c.req.param('id')}` }, 404);
    }),
});
