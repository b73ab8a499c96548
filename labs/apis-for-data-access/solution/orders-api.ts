/**
 * The Orders API: the only door to Orders' data. Every route checks its input before it writes
 * and answers every error as a problem (problems.ts); lists page by keyset with sealed tokens
 * (cursor.ts); changes need the ETag the client saw, the note by PATCH and the status by an
 * operation (pay, ship, cancel); POST is safe to retry with an idempotency key (idempotency.ts);
 * details compose three services (composition.ts).
 */
import type { Row } from 'labkit/db';
import { defineService, Hono, type Context } from 'labkit/service';
import { orderDetails } from './composition.ts';
import { cursorCipher, type Position } from './cursor.ts';
import { fingerprint, IdempotencyKeys, replay, type StoredResponse } from './idempotency.ts';
import { internalError, notFound, problem, problemBody, PROBLEM_JSON } from './problems.ts';
import { OPERATIONS, orderFromRow, type NewOrder, type OrderStatus, type OrdersDeps } from './shop.ts';
import { checkNewOrder, checkOrderChange, checkPageSize } from './validation.ts';

/**
 * The ETag is the row's version, and a trigger raises the version on every UPDATE, whoever
 * sends it: the API, a support script or a migration. A version the API alone raised would
 * miss the changes made past it, and a client would overwrite them with a matching If-Match.
 */
const VERSION_TRIGGER_SQL = `
CREATE OR REPLACE FUNCTION orders_next_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.version := OLD.version + 1;
  RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER orders_next_version BEFORE UPDATE ON orders
  FOR EACH ROW EXECUTE FUNCTION orders_next_version();`;

const etagOf = (row: Row): string => `"${row.version}"`;

/** Order ids in paths: digits, no leading zero; anything else names no order. */
function orderId(text: string): string | undefined {
  return /^[1-9][0-9]{0,17}$/.test(text) ? text : undefined;
}

const MALFORMED = Symbol('malformed');

async function jsonBody(c: Context): Promise<unknown> {
  try {
    return JSON.parse(await c.req.text()) as unknown;
  } catch {
    return MALFORMED;
  }
}

function malformed(c: Context): Response {
  return problem(c, 'malformed-json', 'The body could not be parsed as JSON.');
}

/** If-None-Match uses the weak comparison: W/"3" matches "3"; `*` matches any current order. */
function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || (trimmed.startsWith('W/') ? trimmed.slice(2) : trimmed) === etag;
  });
}

export const ordersService = defineService({
  name: 'orders',
  create: async ({ db, clock, fetch, cursorKey }: OrdersDeps) => {
    await db.exec(VERSION_TRIGGER_SQL);
    await IdempotencyKeys.prepare(db);
    const cipher = await cursorCipher(cursorKey);
    const keys = new IdempotencyKeys(db, clock);

    async function findOrder(id: string): Promise<Row | undefined> {
      const { rows } = await db.query('SELECT * FROM orders WHERE id = $1', [id]);
      return rows[0];
    }

    /** The status Customers answers for a customer: 200 known, 404 unknown, anything else (0: no answer) unusable. */
    async function askCustomers(customerId: string): Promise<number> {
      try {
        return (await fetch(`http://customers/customers/${encodeURIComponent(customerId)}`)).status;
      } catch {
        return 0;
      }
    }

    async function placeOrder(c: Context, clientId: string, key: string, order: NewOrder): Promise<Response> {
      const customer = await askCustomers(order.customerId);
      if (customer !== 200 && customer !== 404) {
        // Says nothing about the request: no answer is stored, so the retry does the work again.
        return problem(c, 'dependency-unavailable', 'Customers did not answer; try again with the same Idempotency-Key.');
      }
      const stored = await db.transaction(async (tx): Promise<StoredResponse> => {
        let response: StoredResponse;
        if (customer === 404) {
          const refused = problemBody('unknown-customer', `Customers knows no customer ${order.customerId}.`);
          response = { status: refused.status, contentType: PROBLEM_JSON, body: JSON.stringify(refused) };
        } else {
          const { rows } = await tx.query('INSERT INTO orders (customer_id, lines, created_at) VALUES ($1, $2, $3) RETURNING *', [
            order.customerId,
            JSON.stringify(order.lines),
            new Date(clock.now()).toISOString(),
          ]);
          response = { status: 201, contentType: 'application/json', body: JSON.stringify(orderFromRow(rows[0]!)) };
        }
        // In the same transaction as the order: a crash keeps both or neither.
        await keys.store(tx, clientId, key, response);
        return response;
      });
      return replay(c, stored);
    }

    const app = new Hono();
    app.onError((_error, c) => internalError(c));
    app.notFound(notFound);

    app.get('/orders', async (c) => {
      const size = checkPageSize(c.req.query('page_size'));
      if (!size.ok) return problem(c, 'invalid-parameter', 'page_size must be a whole number from 1.', { errors: size.errors });
      const token = c.req.query('page_token');
      let after: Position | undefined;
      if (token !== undefined) {
        after = await cipher.open(token);
        if (!after) {
          return problem(c, 'invalid-parameter', 'page_token is not a token this API gave out; start again from the first page.', {
            errors: [{ field: 'page_token', message: 'is not a page token of this API' }],
          });
        }
      }
      // One row more than the page: whether it exists says whether a next page does.
      const { rows } = await db.query(
        `SELECT *, created_at::text AS position_at FROM orders
          WHERE $1::text IS NULL OR (created_at, id) < ($1::text::timestamptz, $2::bigint)
          ORDER BY created_at DESC, id DESC
          LIMIT $3`,
        [after?.at ?? null, after?.id ?? null, size.value + 1],
      );
      const page = rows.slice(0, size.value);
      const last = page[page.length - 1];
      const nextPageToken = rows.length > size.value && last ? await cipher.seal({ at: String(last.position_at), id: Number(last.id) }) : null;
      return c.json({ orders: page.map(orderFromRow), nextPageToken });
    });

    app.get('/orders/:id', async (c) => {
      const id = orderId(c.req.param('id'));
      const row = id && (await findOrder(id));
      if (!row) return notFound(c);
      const etag = etagOf(row);
      if (noneMatch(c.req.header('If-None-Match'), etag)) return c.body(null, 304, { ETag: etag });
      return c.json(orderFromRow(row), 200, { ETag: etag });
    });

    /**
     * PATCH and the operations check in the order RFC 9110 gives: the order (404) and the
     * request itself first, then the precondition (428, 412), then what the order's status
     * allows (409, in the operations).
     */
    async function orderAt(path: string): Promise<Row | undefined> {
      const id = orderId(path);
      return id === undefined ? undefined : findOrder(id);
    }

    function precondition(c: Context, row: Row): Response | undefined {
      // Header values arrive trimmed. `*` matches any version, so it proves nothing was seen.
      const ifMatch = c.req.header('If-Match');
      if (!ifMatch || ifMatch === '*') {
        return problem(c, 'precondition-required', 'Send If-Match with the ETag of the order as you last read it.');
      }
      // The strong comparison: W/"3" is not "3".
      if (ifMatch !== etagOf(row)) {
        return problem(c, 'precondition-failed', `The order is now at ${etagOf(row)}, not ${ifMatch}; read it again and decide again.`);
      }
      return undefined;
    }

    /**
     * The write is guarded by the version that was checked: when another request changed the
     * order since it was read, no row matches and the client gets 412, never a write decided
     * against a state nobody checked.
     */
    async function write(c: Context, row: Row, note: string, status: OrderStatus): Promise<Response> {
      const { rows } = await db.query('UPDATE orders SET note = $3, status = $4 WHERE id = $1 AND version = $2 RETURNING *', [String(row.id), Number(row.version), note, status]);
      const updated = rows[0];
      if (!updated) return problem(c, 'precondition-failed', 'The order changed while this request ran; read it again and decide again.');
      return c.json(orderFromRow(updated), 200, { ETag: etagOf(updated) });
    }

    app.patch('/orders/:id', async (c) => {
      const row = await orderAt(c.req.param('id'));
      if (!row) return notFound(c);
      const body = await jsonBody(c);
      if (body === MALFORMED) return malformed(c);
      const checked = checkOrderChange(body);
      if (!checked.ok) return problem(c, 'validation-failed', 'The change is not valid; see errors.', { errors: checked.errors });
      return precondition(c, row) ?? write(c, row, checked.value.note, row.status as OrderStatus);
    });

    for (const [name, operation] of Object.entries(OPERATIONS)) {
      app.post(`/orders/:id/${name}`, async (c) => {
        const row = await orderAt(c.req.param('id'));
        if (!row) return notFound(c);
        const refused = precondition(c, row);
        if (refused) return refused;
        const status = row.status as OrderStatus;
        if (!operation.from.includes(status)) {
          return problem(c, 'invalid-transition', `An order that is ${status} cannot be ${operation.to}; ${name} starts only from ${String(operation.from)}.`);
        }
        return write(c, row, String(row.note), operation.to);
      });
    }

    app.post('/orders', async (c) => {
      const clientId = c.req.header('X-Client-Id');
      const key = c.req.header('Idempotency-Key');
      if (!clientId) return problem(c, 'missing-header', 'POST /orders needs X-Client-Id, the client asking.');
      if (!key) return problem(c, 'missing-header', 'POST /orders needs an Idempotency-Key, the same for every retry of one order.');
      const body = await jsonBody(c);
      if (body === MALFORMED) return malformed(c);
      const checked = checkNewOrder(body);
      if (!checked.ok) return problem(c, 'validation-failed', `${checked.errors.length} field(s) failed validation; see errors.`, { errors: checked.errors });
      const order = checked.value;
      const claim = await keys.claim(clientId, key, await fingerprint(JSON.stringify([order.customerId, order.lines.map((l) => [l.sku, l.qty])])));
      if (claim.kind === 'running') return problem(c, 'request-in-progress', 'The first request with this Idempotency-Key is still running; retry later.');
      if (claim.kind === 'reused') return problem(c, 'idempotency-key-reused', 'This Idempotency-Key was first used with another body; use a new key for a new order.');
      if (claim.kind === 'replay') return replay(c, claim.response);
      try {
        return await placeOrder(c, clientId, key, order);
      } finally {
        keys.finished(clientId, key);
      }
    });

    app.get('/orders/:id/details', async (c) => {
      const id = orderId(c.req.param('id'));
      const row = id && (await findOrder(id));
      if (!row) return notFound(c);
      return c.json(await orderDetails(fetch, clock, orderFromRow(row)));
    });

    return app;
  },
});


