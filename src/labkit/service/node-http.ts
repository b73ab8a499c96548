/**
 * Services over real HTTP, for Node (the grader, a WebContainer terminal). Node only: it imports
 * node:http through @hono/node-server, so nothing the browser loads may import it; `index.ts`
 * reaches it only through `installHttpTransport`.
 *
 * Servers bind to 127.0.0.1 only: lab code is untrusted, and a lab's services are for the
 * machine running it, never the network around it.
 */
import { serve, type HttpBindings } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ServiceUnavailableError } from './errors.ts';
import type { ServiceHandle } from './network.ts';
import { installHttpTransport, serviceUrl, type NetworkTransport, type RequestHandler, type TransportLink } from './transport.ts';

const HOST = '127.0.0.1';

/** A service served over HTTP. */
export interface ServedService {
  /** Where it listens, e.g. `http://127.0.0.1:54321`. */
  readonly url: string;
  /** Stops listening and cuts open connections; resolves when the port is free. */
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 and hands each request to `handler` with its canonical URL
 * (`http://<service>/...`), so the app sees the same `c.req.url` as in memory. When the handler
 * has no running service to answer, the connection is dropped, as a dead process's would be.
 */
async function listen(service: string, handler: RequestHandler, port: number): Promise<ServedService> {
  const server = serve({
    hostname: HOST,
    port,
    // The adapter would otherwise replace the global Request and Response for the whole process,
    // which lab code and the test runner share.
    overrideGlobalObjects: false,
    fetch: async (incoming: Request, env) => {
      const hasBody = incoming.method !== 'GET' && incoming.method !== 'HEAD';
      const request = new Request(serviceUrl(service, incoming.url), {
        method: incoming.method,
        headers: incoming.headers,
        body: hasBody ? incoming.body : null,
        signal: incoming.signal,
        // Required by fetch to pass a streamed body on; harmless without one.
        duplex: 'half',
      } as RequestInit);
      try {
        return await handler(request);
      } catch (error) {
        if (!(error instanceof ServiceUnavailableError)) throw error;
        (env as HttpBindings).outgoing.socket?.destroy();
        return new Response(null, { status: 503 });
      }
    },
  }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${HOST}:${bound}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // close() alone waits for open (keep-alive or in-flight) connections; a crash cuts them.
        server.closeAllConnections();
      }),
  };
}

/** Delivers over HTTP to a server from `listen`, mapping connection failures to ServiceUnavailableError. */
function httpLink(service: string, served: ServedService): TransportLink {
  return {
    address: served.url,
    async send(request) {
      const url = new URL(request.url);
      const body = request.body ? await request.arrayBuffer() : undefined;
      try {
        return await fetch(`${served.url}${url.pathname}${url.search}`, {
          method: request.method,
          headers: request.headers,
          body,
          signal: request.signal,
          // In memory a redirect is handed back, not followed; the same here, so results match.
          redirect: 'manual',
        });
      } catch (error) {
        if (request.signal.aborted) throw error;
        throw new ServiceUnavailableError(service, 'unreachable', '', { cause: error });
      }
    },
    close: () => served.close(),
  };
}

/**
 * The HTTP transport: each running service instance gets its own server on 127.0.0.1 and an
 * ephemeral port (a restart gets a new port; the network routes by name, so callers never see it).
 *
 * @example
 * const network = createNetwork({ transport: httpTransport });
 */
export const httpTransport: NetworkTransport = {
  kind: 'http',
  connect: async (service, handler) => httpLink(service, await listen(service, handler, 0)),
};

/** Makes `createNetwork({ transport: 'http' })` work in this process, e.g. for lab tests run by a Node host. */
export function installNodeHttp(): void {
  installHttpTransport(httpTransport);
}

/**
 * Serves a started service on a port of 127.0.0.1, e.g. for a learner to call with curl from a
 * WebContainer terminal. It follows the service through crashes and restarts: while it is down,
 * connections are dropped. Port 0 (the default) picks a free one.
 *
 * @example
 * const orders = await network.start(ordersService, { db });
 * const served = await serveService(orders, { port: 3001 });
 * console.log(`${served.url}/_labkit`);
 */
export function serveService(handle: ServiceHandle, options: { port?: number } = {}): Promise<ServedService> {
  return listen(handle.name, handle.handler, options.port ?? 0);
}
