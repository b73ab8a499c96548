/** The labkit's services: one Orders-like service on PGlite, in memory and over HTTP, crashed and restarted. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { PGlite } from '@electric-sql/pglite';
import { installEngines } from '../../src/labkit/db/engines.ts';
import type { Pg } from '../../src/labkit/db/index.ts';
import { resetPglite } from '../../src/labkit/db/pg.ts';
import { endTestDatabases, pg } from '../../src/labkit/db/test-databases.ts';
import { createNetwork, defineService, Hono, ServiceUnavailableError, type Network } from '../../src/labkit/service/index.ts';
import { closeAllNetworks } from '../../src/labkit/service/network.ts';
import { httpTransport, installNodeHttp, serveService } from '../../src/labkit/service/node-http.ts';
import { ensurePgSnapshot, nodeEngines } from '../../src/runner/node/engines.ts';

let pglite: PGlite;
before(async () => {
  const engines = nodeEngines(await ensurePgSnapshot());
  installEngines(engines);
  pglite = await engines.pglite();
  installNodeHttp();
});
after(async () => {
  await closeAllNetworks();
  await pglite.close();
});

/** Each test starts from an empty database, as the runner gives lab tests. */
async function freshDb(): Promise<Pg> {
  endTestDatabases();
  await resetPglite(pglite);
  return pg();
}

interface OrdersResources {
  db: Pg;
  /** When set, GET /slow waits for it: a call the test can keep in flight. */
  slow?: Promise<void>;
}

const orders = defineService({
  name: 'orders',
  create: async ({ db, slow }: OrdersResources) => {
    // Runs on every start and restart, as a service's boot-time migration would.
    await db.exec('CREATE TABLE IF NOT EXISTS orders (id serial PRIMARY KEY, item text NOT NULL, qty int NOT NULL)');
    let served = 0; // memory: lost in a crash
    const app = new Hono();
    app.use('*', async (c, next) => {
      await next();
      c.header('x-service', 'orders');
    });
    app.post('/orders', async (c) => {
      served++;
      const { item, qty } = await c.req.json<{ item: string; qty: number }>();
      const { rows } = await db.query<{ id: number }>('INSERT INTO orders (item, qty) VALUES ($1, $2) RETURNING id', [item, qty]);
      const id = rows[0]!.id;
      return c.json({ id, item, qty }, 201, { location: `${new URL(c.req.url).origin}/orders/${id}` });
    });
    app.get('/orders/:id', async (c) => {
      served++;
      const { rows } = await db.query('SELECT id, item, qty FROM orders WHERE id = $1', [Number(c.req.param('id'))]);
      return rows[0] ? c.json(rows[0]) : c.json({ error: 'not found' }, 404);
    });
    app.get('/stats', (c) => c.json({ served }));
    app.get('/slow', async (c) => {
      await slow;
      return c.text('late');
    });
    return app;
  },
});

const transports = [
  { label: 'memory', transport: 'memory' as const },
  { label: 'http', transport: 'http' as const },
];

/** What a caller can observe of a response, minus headers only a real HTTP server adds (date, keep-alive). */
async function observe(response: Response) {
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    location: response.headers.get('location'),
    service: response.headers.get('x-service'),
    body: await response.text(),
  };
}

async function script(network: Network) {
  const seen = [];
  const post = (body: unknown) => network.fetch('http://orders/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  seen.push(await observe(await post({ item: 'kettle', qty: 2 })));
  seen.push(await observe(await network.fetch(new URL('http://orders/orders/1'))));
  seen.push(await observe(await network.call('orders', '/orders/99')));
  seen.push(await observe(await network.fetch(new Request('http://orders/no-such-route'))));
  seen.push(await observe(await network.call('orders', '/stats')));
  return seen;
}

test('an Orders service on Pg answers the same in memory and over HTTP', async () => {
  const results = [];
  for (const { transport } of transports) {
    const network = createNetwork({ transport });
    const handle = await network.start(orders, { db: await freshDb() });
    assert.equal(network.transport, transport);
    assert.equal(handle.url, 'http://orders');
    if (transport === 'http') assert.match(handle.address ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    else assert.equal(handle.address, undefined);
    results.push(await script(network));
    await network.close();
  }
  const [memory, http] = results;
  assert.deepEqual(http, memory);
  assert.deepEqual(memory![0], {
    status: 201,
    contentType: 'application/json',
    location: 'http://orders/orders/1', // the app sees http://orders/... over HTTP too
    service: 'orders',
    body: '{"id":1,"item":"kettle","qty":2}',
  });
  assert.equal(memory![2]!.status, 404);
  assert.equal(memory![4]!.body, '{"served":3}');
});

test('a crashed service fails calls with ServiceUnavailableError at once, including calls in flight', async () => {
  for (const { label, transport } of transports) {
    let release = () => {};
    const slow = new Promise<void>((resolve) => (release = resolve));
    const network = createNetwork({ transport });
    await network.start(orders, { db: await freshDb(), slow });
    const inFlight = network.call('orders', '/slow');
    await new Promise((resolve) => setTimeout(resolve, 20)); // let it reach the handler

    const started = performance.now();
    await network.crash('orders');
    await assert.rejects(inFlight, (e) => e instanceof ServiceUnavailableError && e.service === 'orders' && e.reason === 'crashed', label);
    await assert.rejects(network.fetch('http://orders/orders/1'), (e) => e instanceof ServiceUnavailableError && e.reason === 'down', label);
    assert.ok(performance.now() - started < 250, `${label}: failing took ${performance.now() - started} ms`);
    assert.equal(network.isUp('orders'), false);

    await assert.rejects(network.fetch('http://ordres/orders/1'), (e) => e instanceof ServiceUnavailableError && e.reason === 'unknown' && /Started: orders/.test(e.message));
    await assert.rejects(network.fetch('/orders/1'), /absolute URL such as "http:\/\/orders/);
    release(); // the abandoned handler finishes in the background; its answer goes nowhere
    await network.close();
  }
});

test('restart keeps database rows and loses in-memory state', async () => {
  for (const { label, transport } of transports) {
    const network = createNetwork({ transport });
    const handle = await network.start(orders, { db: await freshDb() });
    await network.call('orders', '/orders', { method: 'POST', body: JSON.stringify({ item: 'mug', qty: 1 }) });
    await network.call('orders', '/orders/1');
    assert.deepEqual(await (await network.call('orders', '/stats')).json(), { served: 2 }, label);
    const addressBefore = handle.address;

    await handle.crash();
    await handle.restart();
    assert.equal(handle.isUp(), true);
    if (transport === 'http') assert.notEqual(handle.address, addressBefore, 'a restarted instance listens on a new port');
    assert.deepEqual(await (await handle.call('/orders/1')).json(), { id: 1, item: 'mug', qty: 1 }, label);
    assert.deepEqual(await (await handle.call('/stats')).json(), { served: 1 }, label);

    await network.restart('orders'); // restarting a running service crashes it first
    assert.deepEqual(await (await handle.call('/stats')).json(), { served: 0 }, label);
    await network.close();
  }
});

test('GET /_labkit lists the routes with a form each, and escapes a hostile route name', async () => {
  const hostile = '/"><script>alert(1)</script><img src=x onerror=alert(2)>';
  const shop = defineService({
    name: 'catalog',
    create: () =>
      new Hono()
        .use('*', async (_c, next) => next())
        .get('/products/:id', (c) => c.json({}))
        .post('/products', (c) => c.json({}, 201))
        .get(hostile, (c) => c.text('gotcha')),
  });
  const network = createNetwork();
  await network.start(shop);
  const response = await network.call('catalog', '/_labkit');
  const html = await response.text();
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.match(response.headers.get('content-security-policy') ?? '', /script-src 'nonce-[0-9a-f]{32}'/);
  assert.equal((html.match(/<form>/g) ?? []).length, 3, 'one form per route, middleware left out');
  assert.match(html, /<b>GET<\/b> <input name="path" size="40" value="\/products\/:id"/);
  assert.match(html, /value="POST"><b>POST<\/b> <input name="path" size="40" value="\/products" aria-label="path"><textarea name="body"/);
  assert.ok(html.includes('value="/&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;&#60;img src=x onerror=alert(2)&#62;"'));
  assert.equal((html.match(/<script/g) ?? []).length, 1, 'only the page’s own script');
  assert.ok(!html.includes('<img'));
  await network.close();
});

test('over HTTP services listen on 127.0.0.1 only and close without leaving open handles', async () => {
  const network = createNetwork({ transport: httpTransport });
  const handle = await network.start(orders, { db: await freshDb() });
  const served = await serveService(handle);
  assert.match(served.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const direct = await fetch(`${served.url}/orders/1`);
  assert.equal(direct.status, 404);
  assert.deepEqual(await direct.json(), { error: 'not found' });

  await handle.crash();
  await assert.rejects(fetch(`${served.url}/orders/1`), TypeError, 'a server in front of a crashed service drops the connection');
  await handle.restart();
  assert.equal((await fetch(`${served.url}/stats`)).status, 200, 'and follows it through the restart');

  await served.close();
  await network.close();
  const open = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap' || r === 'TCPSocketWrap');
  for (let i = 0; i < 20 && open().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(open(), []);
});

test('defineService and the network refuse mistakes with messages that say what to do', async () => {
  const create = () => new Hono();
  assert.throws(() => defineService({ name: 'Orders Service', create }), /cannot be a host name.*lowercase letters/);
  const network = createNetwork();
  const service = defineService({ name: 'orders', create });
  await network.start(service);
  await assert.rejects(network.start(service), /already started.*network\.restart\("orders"\)/);
  assert.throws(() => network.isUp('ordres'), /no service of that name was started\. Started: orders/);
  const broken = defineService({ name: 'broken', create: () => ({}) as Hono });
  await assert.rejects(network.start(broken), /create\(\) must return a Hono app/);
  await network.close();
  await assert.rejects(network.start(service), /closed/);
});
