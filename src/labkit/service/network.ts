/**
 * A network of services for one test: start services by name, call them by URL, crash and
 * restart them. Calls go through a transport (in memory or over HTTP) and the results are the
 * same, so a test written against one runs against the other.
 */
import type { ServiceApp, ServiceDefinition } from './define.ts';
import { ServiceUnavailableError } from './errors.ts';
import { LABKIT_PAGE_PATH, labkitPage } from './labkit-page.ts';
import { installedHttpTransport, memoryTransport, type NetworkTransport, type RequestHandler, type TransportLink } from './transport.ts';

/** A `fetch` that reaches services on the network: `http://orders/orders/42` goes to `orders`. */
export type ServiceFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface NetworkOptions {
  /**
   * `memory` (the default, every runtime): calls are function calls into the app.
   * `http` (Node only): each service listens on 127.0.0.1 on a port of its own, and calls are real HTTP.
   */
  transport?: 'memory' | 'http' | NetworkTransport;
}

/** A started service. Its methods are the network's, bound to its name. */
export interface ServiceHandle {
  readonly name: string;
  /** The address lab code calls it at, in every transport: `http://orders`. */
  readonly url: string;
  /** Where it really listens while up over HTTP (`http://127.0.0.1:54321`); undefined in memory or while down. */
  readonly address: string | undefined;
  /** Same as `network.call(name, path, init)`. */
  call(path: string, init?: RequestInit): Promise<Response>;
  crash(): Promise<void>;
  restart(): Promise<void>;
  isUp(): boolean;
  /**
   * Answers a request in this process, bypassing the transport, as the running instance would;
   * follows crashes and restarts. For a server put in front of the service (`serveService`);
   * lab code calls services with `network.fetch` or `call`.
   */
  readonly handler: RequestHandler;
}

export interface Network {
  /** Which transport the calls go through: `memory` or `http`. */
  readonly transport: string;
  /**
   * Starts a service: calls `create(resources)` and makes the app reachable at `http://<name>`.
   * The same `resources` object is given to `create` again on every restart.
   */
  start<R>(service: ServiceDefinition<R>, ...resources: {} extends R ? [resources?: R] : [resources: R]): Promise<ServiceHandle>;
  /**
   * A `fetch` routed by host name to the services of this network. Bound: pass it to services
   * as a resource so they call each other, e.g. `network.start(orders, { db, fetch: network.fetch })`.
   * Rejects with ServiceUnavailableError when the service is unknown, down, or crashes mid-call.
   */
  readonly fetch: ServiceFetch;
  /** `fetch('http://<name><path>', init)`. `path` starts with `/`. */
  call(name: string, path: string, init?: RequestInit): Promise<Response>;
  /**
   * Crashes a service: from now on calls fail with ServiceUnavailableError, calls in flight
   * fail at once, and its app (its memory) is dropped. Takes effect before it returns a promise;
   * await it to know the HTTP port is closed. Crashing a service that is down does nothing.
   */
  crash(name: string): Promise<void>;
  /**
   * Starts the service again from its definition with the same resources: its database rows
   * survive, its memory does not. A service that is up is crashed first. Calls fail with
   * ServiceUnavailableError (reason `down`) until the new instance is up.
   */
  restart(name: string): Promise<void>;
  isUp(name: string): boolean;
  /** Stops every service and closes their HTTP servers; the network cannot be used again. */
  close(): Promise<void>;
}

/** One running instance of a service: what a crash throws away. */
interface Instance {
  readonly handler: RequestHandler;
  /** Aborted when the instance crashes: fails its calls in flight and aborts their requests' signals. */
  readonly stopped: AbortController;
  link: TransportLink | undefined;
}

interface Entry {
  readonly definition: ServiceDefinition<never>;
  readonly resources: unknown;
  /** The running instance, published once reachable; undefined while down or booting. */
  instance: Instance | undefined;
  /** Bumped by every crash and restart, so a boot overtaken by one is discarded. */
  generation: number;
}

const openNetworks = new Set<Network>();

/**
 * Closes every network not yet closed. For runners, after each test: a test that forgot
 * `network.close()` must not leave HTTP servers to the next test or keep the process alive.
 */
export async function closeAllNetworks(): Promise<void> {
  await Promise.all([...openNetworks].map((network) => network.close()));
}

function resolveTransport(option: NetworkOptions['transport']): NetworkTransport {
  if (option === undefined || option === 'memory') return memoryTransport;
  if (option === 'http') return installedHttpTransport();
  if (typeof option === 'object' && option !== null && typeof option.connect === 'function') return option;
  throw new Error(`createNetwork: transport must be 'memory' or 'http', got ${JSON.stringify(option)}.`);
}

/** The instance's handler: its `/_labkit` page, else its app. */
function instanceHandler(name: string, app: ServiceApp): RequestHandler {
  return async (request) => {
    if (request.method === 'GET' && new URL(request.url).pathname === LABKIT_PAGE_PATH) return labkitPage(name, app);
    return app.fetch(request);
  };
}

function toRequest(input: string | URL | Request, init: RequestInit | undefined): Request {
  let request: Request;
  if (input instanceof Request) {
    request = init ? new Request(input, init) : input;
  } else {
    // Parsed here, without a base: in a browser worker `new Request('/orders')` would resolve
    // against the site's own origin and quietly call the wrong server.
    let url: URL;
    try {
      url = new URL(String(input));
    } catch {
      throw new TypeError(`network.fetch needs an absolute URL such as "http://orders/orders/42", got ${JSON.stringify(String(input))}.`);
    }
    request = new Request(url, init);
  }
  if (new URL(request.url).protocol !== 'http:') {
    throw new TypeError(`Services are called at http://<service>/<path>, got "${request.url}".`);
  }
  return request;
}

/**
 * Delivers `request` to a running instance and settles as a real connection would: with the
 * answer, or with ServiceUnavailableError the moment the instance crashes, whatever its handler
 * is still doing. The abandoned handler keeps running in the background (JavaScript cannot stop
 * it) but its request's signal is aborted, and its answer is thrown away.
 */
function deliver(name: string, instance: Instance, request: Request, send: RequestHandler): Promise<Response> {
  const { signal } = instance.stopped;
  if (signal.aborted) return Promise.reject(new ServiceUnavailableError(name, 'down'));
  const forInstance = new Request(request, { signal: AbortSignal.any([request.signal, signal]) });
  return new Promise<Response>((resolve, reject) => {
    const onCrash = () => reject(new ServiceUnavailableError(name, 'crashed'));
    signal.addEventListener('abort', onCrash, { once: true });
    const settle = () => signal.removeEventListener('abort', onCrash);
    send(forInstance).then(
      (response) => {
        settle();
        resolve(response);
      },
      (error: unknown) => {
        settle();
        if (signal.aborted) reject(new ServiceUnavailableError(name, 'crashed', '', { cause: error }));
        else if (request.signal.aborted) reject(request.signal.reason ?? error);
        else reject(error);
      },
    );
  });
}

/**
 * Creates a network of services.
 *
 * @example
 * const network = createNetwork();                 // or { transport: 'http' } in Node
 * await network.start(orders, { db: await pg() });
 * const res = await network.fetch('http://orders/orders/42');
 * await network.crash('orders');                   // calls now reject with ServiceUnavailableError
 * await network.restart('orders');                 // same database, fresh memory
 * await network.close();
 */
export function createNetwork(options: NetworkOptions = {}): Network {
  const transport = resolveTransport(options.transport);
  const entries = new Map<string, Entry>();
  const booting = new Set<Promise<unknown>>();
  let closed = false;

  function entryOf(name: string, operation: string): Entry {
    const entry = entries.get(name);
    if (!entry) {
      throw new Error(`network.${operation}("${name}"): no service of that name was started. Started: ${[...entries.keys()].join(', ') || 'none'}.`);
    }
    return entry;
  }

  /** Takes the instance down at once; returns the closing of its link. */
  function stopNow(entry: Entry): Promise<void> {
    entry.generation += 1;
    const instance = entry.instance;
    entry.instance = undefined;
    if (!instance) return Promise.resolve();
    instance.stopped.abort(new ServiceUnavailableError(entry.definition.name, 'crashed'));
    return instance.link?.close() ?? Promise.resolve();
  }

  /** Builds a new instance and publishes it, unless a crash or restart overtook this boot. */
  async function boot(entry: Entry): Promise<void> {
    const name = entry.definition.name;
    const generation = entry.generation;
    const work = (async () => {
      const app = await (entry.definition.create as (context: unknown) => ServiceApp | Promise<ServiceApp>)(entry.resources);
      if (!app || typeof (app as ServiceApp).fetch !== 'function') {
        throw new Error(`Service "${name}": create() must return a Hono app (new Hono()...), got ${app === null ? 'null' : typeof app}.`);
      }
      const instance: Instance = { handler: instanceHandler(name, app), stopped: new AbortController(), link: undefined };
      const link = await transport.connect(name, instance.handler);
      if (entry.generation !== generation || closed) {
        await link.close();
        return;
      }
      instance.link = link;
      entry.instance = instance;
    })();
    booting.add(work);
    try {
      await work;
    } finally {
      booting.delete(work);
    }
  }

  const fetch: ServiceFetch = async (input, init) => {
    const request = toRequest(input, init);
    const name = new URL(request.url).hostname;
    const entry = entries.get(name);
    if (!entry) throw new ServiceUnavailableError(name, 'unknown', `Started: ${[...entries.keys()].join(', ') || 'none'}.`);
    const instance = entry.instance;
    if (!instance?.link) throw new ServiceUnavailableError(name, 'down');
    const link = instance.link;
    return deliver(name, instance, request, (r) => link.send(r));
  };

  const network: Network = {
    transport: transport.kind,

    async start<R>(service: ServiceDefinition<R>, ...args: [resources?: R]): Promise<ServiceHandle> {
      if (closed) throw new Error('network.start: this network is closed; create a new one.');
      const name = service?.name;
      if (typeof service?.create !== 'function') throw new Error('network.start needs a service made with defineService({ name, create }).');
      if (entries.has(name)) throw new Error(`network.start: "${name}" is already started on this network; use network.restart("${name}") to start it again.`);
      const entry: Entry = { definition: service as ServiceDefinition<never>, resources: args[0] ?? {}, instance: undefined, generation: 0 };
      entries.set(name, entry);
      try {
        await boot(entry);
      } catch (error) {
        // A service that never came up is not on the network: fix create() and start it again.
        if (entries.get(name) === entry) entries.delete(name);
        throw error;
      }
      return handleFor(name);
    },

    fetch,

    call(name, path, init) {
      if (typeof path !== 'string' || !path.startsWith('/')) {
        return Promise.reject(new TypeError(`network.call("${name}", path): path must start with "/", got ${JSON.stringify(path)}.`));
      }
      if (!entries.has(name)) return Promise.reject(new ServiceUnavailableError(String(name), 'unknown', `Started: ${[...entries.keys()].join(', ') || 'none'}.`));
      return fetch(`http://${name}${path}`, init);
    },

    crash(name) {
      return stopNow(entryOf(name, 'crash'));
    },

    async restart(name) {
      const entry = entryOf(name, 'restart');
      if (closed) throw new Error('network.restart: this network is closed; create a new one.');
      await stopNow(entry);
      await boot(entry);
    },

    isUp(name) {
      return entryOf(name, 'isUp').instance !== undefined;
    },

    async close() {
      if (closed) return;
      closed = true;
      openNetworks.delete(network);
      await Promise.all([...entries.values()].map(stopNow));
      // Boots still running close their own links when they see the network closed; wait for them.
      await Promise.allSettled([...booting]);
    },
  };

  function handleFor(name: string): ServiceHandle {
    const entry = entries.get(name)!;
    return Object.freeze<ServiceHandle>({
      name,
      url: `http://${name}`,
      get address() {
        return entry.instance?.link?.address;
      },
      call: (path, init) => network.call(name, path, init),
      crash: () => network.crash(name),
      restart: () => network.restart(name),
      isUp: () => network.isUp(name),
      handler: async (request) => {
        const instance = entry.instance;
        if (!instance) throw new ServiceUnavailableError(name, 'down');
        return deliver(name, instance, request, instance.handler);
      },
    });
  }

  openNetworks.add(network);
  return Object.freeze(network);
}
