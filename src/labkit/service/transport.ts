/**
 * How requests reach a running service. The network owns names, crashes and restarts; a
 * transport only makes one running instance reachable and delivers requests to it. In memory
 * that is a function call; over HTTP (node-http.ts, Node only) a server on 127.0.0.1.
 */

/** A service's request handler: the app's `fetch`, plus the `/_labkit` page. */
export type RequestHandler = (request: Request) => Promise<Response>;

/** Delivery to one running instance of a service, until it is closed. */
export interface TransportLink {
  /** Where the instance really listens (`http://127.0.0.1:54321`); undefined in memory. */
  readonly address: string | undefined;
  /** Delivers a request whose URL is `http://<service>/...` and resolves with the answer. */
  send(request: Request): Promise<Response>;
  /** Makes the instance unreachable at once, cutting exchanges in flight. */
  close(): Promise<void>;
}

/** A way to reach services: `memory` here, `http` in node-http.ts. */
export interface NetworkTransport {
  readonly kind: string;
  /** Makes `handler` (one running instance of `service`) reachable. */
  connect(service: string, handler: RequestHandler): Promise<TransportLink>;
}

/** Delivery by function call: the same Request and Response objects, no serialisation. */
export const memoryTransport: NetworkTransport = {
  kind: 'memory',
  connect: async (_service, handler) => ({
    address: undefined,
    send: handler,
    close: async () => {},
  }),
};

/**
 * The URL a service sees for a request: `http://<service>/<path>?<query>`, in every transport,
 * so links and Location headers a lab builds from `c.req.url` read the same in memory and over HTTP.
 */
export function serviceUrl(service: string, url: string | URL): string {
  const parsed = typeof url === 'string' ? new URL(url) : url;
  return `http://${service}${parsed.pathname}${parsed.search}`;
}

let httpTransport: NetworkTransport | undefined;

/**
 * Makes `createNetwork({ transport: 'http' })` available. Node hosts call it (through
 * `installNodeHttp()` in node-http.ts); the browser has no HTTP server, so there it stays unset.
 */
export function installHttpTransport(transport: NetworkTransport): void {
  httpTransport = transport;
}

/** The installed HTTP transport, or an error that says why there is none. */
export function installedHttpTransport(): NetworkTransport {
  if (!httpTransport) {
    throw new Error(
      "createNetwork({ transport: 'http' }) needs the Node HTTP transport, which this runtime has not installed (a browser worker cannot listen on a port). Use transport 'memory', or in Node call installNodeHttp() from labkit/service/node-http.ts first.",
    );
  }
  return httpTransport;
}
