/**
 * The page every service answers at `GET /_labkit`: its routes, each with a form to call it.
 * A preview pane shows it, so a learner can poke a service without writing a client.
 *
 * Route paths come from lab code, which may be hostile (a learner's or a submission's), so every
 * interpolated value is escaped, the script is static, and a per-response nonce keeps any other
 * script from running.
 */
import { inspectRoutes } from 'hono/dev';
import type { ServiceApp } from './define.ts';

/** The path of the page; a lab route with the same path is shadowed by it. */
export const LABKIT_PAGE_PATH = '/_labkit';

/** A route as the page lists it. */
export interface ListedRoute {
  method: string;
  path: string;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const ANY_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** The app's endpoints in registration order: middleware (`app.use`) and duplicates left out. */
export function listRoutes(app: ServiceApp): ListedRoute[] {
  const seen = new Set<string>();
  const routes: ListedRoute[] = [];
  for (const { method, path, isMiddleware } of inspectRoutes(app)) {
    const key = `${method} ${path}`;
    if (isMiddleware || seen.has(key)) continue;
    seen.add(key);
    routes.push({ method, path });
  }
  return routes;
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function routeForm(route: ListedRoute): string {
  const method = route.method.toUpperCase();
  const methodField =
    method === 'ALL'
      ? `<select name="method">${ANY_METHODS.map((m) => `<option>${m}</option>`).join('')}</select>`
      : `<input type="hidden" name="method" value="${escapeHtml(method)}"><b>${escapeHtml(method)}</b>`;
  const bodyField = method === 'ALL' || BODY_METHODS.has(method) ? `<textarea name="body" rows="2" placeholder="JSON body"></textarea>` : '';
  return `<li><form>${methodField} <input name="path" size="40" value="${escapeHtml(route.path)}" aria-label="path">${bodyField} <button>Send</button><output></output></form></li>`;
}

// Static: it reads the form, never the page's data, so nothing from lab code reaches a script.
const SCRIPT = `document.addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target, out = form.querySelector('output'), method = form.elements.method.value;
  const body = method === 'GET' ? '' : form.elements.body?.value;
  try {
    const res = await fetch(form.elements.path.value, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body || undefined });
    out.textContent = res.status + ' ' + res.statusText + '\\n' + await res.text();
  } catch (error) { out.textContent = String(error); }
});`;

function nonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The page as a Response: HTML, with a CSP that allows only its own script. */
export function labkitPage(serviceName: string, app: ServiceApp): Response {
  const routes = listRoutes(app);
  const scriptNonce = nonce();
  const name = escapeHtml(serviceName);
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${name} service</title>
<style>body{font:14px system-ui,sans-serif;margin:1rem}ul{list-style:none;padding:0}li{margin:.5rem 0}output{display:block;white-space:pre-wrap;font-family:monospace}textarea{vertical-align:top}</style></head>
<body><h1>${name}</h1>
<p>${routes.length} route${routes.length === 1 ? '' : 's'}. Replace <code>:params</code> in a path, then send.</p>
<ul>${routes.map(routeForm).join('\n')}</ul>
<script nonce="${scriptNonce}">${SCRIPT}</script>
</body></html>`;
  return new Response(html, {
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': `default-src 'none'; script-src 'nonce-${scriptNonce}'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'none'; base-uri 'none'`,
    },
  });
}
