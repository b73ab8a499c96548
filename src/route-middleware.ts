/**
 * Starlight route middleware: a lesson's summary is also its page description, for search
 * engines and link previews, so lessons need not repeat it in a `description` field.
 */
import { defineRouteMiddleware } from '@astrojs/starlight/route-data';

export const onRequest = defineRouteMiddleware((context) => {
  const route = context.locals.starlightRoute;
  const summary = (route.entry.data as { summary?: string }).summary;
  if (!summary || route.entry.data.description) return;
  for (const tag of route.head) {
    const attrs = tag.attrs as Record<string, unknown> | undefined;
    if (tag.tag === 'meta' && attrs && (attrs.name === 'description' || attrs.property === 'og:description')) attrs.content = summary;
  }
});
