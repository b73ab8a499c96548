/**
 * The built site as a whole: every lesson page is there, its pages' titles read right, and no
 * internal link or anchor on any page points at nothing.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { courseCatalog } from '../../src/course/catalog.ts';
import { strategies } from '../../src/course/strategies.ts';

const dist = process.env.SITE_DIR ?? 'dist';

function htmlPages(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.html'))
    .map((f) => join(dir, f));
}

function targetFile(path: string): string | undefined {
  const clean = decodeURIComponent(path.split('#')[0]!.split('?')[0]!);
  const candidates = clean.endsWith('/') ? [join(dist, clean, 'index.html')] : [join(dist, clean), join(dist, clean, 'index.html')];
  return candidates.find((c) => existsSync(c));
}

test('every strategy has a built lesson page with its title', () => {
  for (const strategy of strategies) {
    const file = join(dist, 'lessons', strategy.slug, 'index.html');
    assert.ok(existsSync(file), `missing ${file}`);
    assert.match(readFileSync(file, 'utf8'), /<h1 id="_top"[^>]*>[^<]+<\/h1>/);
  }
});

test('no internal link or anchor on any built page is broken', () => {
  const broken: string[] = [];
  const ids = new Map<string, Set<string>>();
  const idsOf = (file: string) => {
    if (!ids.has(file)) ids.set(file, new Set([...readFileSync(file, 'utf8').matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!)));
    return ids.get(file)!;
  };
  for (const page of htmlPages(dist)) {
    const html = readFileSync(page, 'utf8');
    for (const match of html.matchAll(/<a\b[^>]*\shref="(\/[^"]*)"/g)) {
      const href = match[1]!;
      if (href.startsWith('//')) continue;
      const file = targetFile(href);
      if (!file) {
        broken.push(`${page.slice(dist.length)} -> ${href}`);
        continue;
      }
      const anchor = href.split('#')[1];
      if (anchor && file.endsWith('.html') && !idsOf(file).has(decodeURIComponent(anchor))) broken.push(`${page.slice(dist.length)} -> ${href} (no such anchor)`);
    }
  }
  assert.deepEqual(broken, []);
});

const siteTitle = 'Data in Microservices';

/** The text of a built page's <title>. */
function titleOf(file: string): string {
  const raw = readFileSync(file, 'utf8').match(/<title>([^<]*)<\/title>/)?.[1];
  assert.ok(raw !== undefined, `${file} has no <title>`);
  const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };
  return raw.replace(/&(amp|lt|gt|quot|#39);/g, (_, name: string) => entities[name]!);
}

test("the browser's title: the site's name once on the home page, the page's own title then the site's elsewhere", () => {
  const catalog = courseCatalog();
  assert.equal(titleOf(join(dist, 'index.html')), siteTitle);
  const lesson = catalog.strategies.find((s) => s.slug === 'sagas')?.lesson;
  assert.ok(lesson, 'the sagas lesson is in the catalog');
  assert.equal(titleOf(join(dist, 'lessons', lesson.slug, 'index.html')), `${lesson.title} | ${siteTitle}`);
  const lab = catalog.labs.find((l) => l.id === 'sagas');
  assert.ok(lab, 'the sagas lab is in the catalog');
  assert.equal(titleOf(join(dist, 'labs', lab.id, 'index.html')), `${lab.title} | ${siteTitle}`);
  const doubled = htmlPages(dist).filter((page) => titleOf(page).split(' | ').filter((part) => part === siteTitle).length > 1);
  assert.deepEqual(doubled, [], "pages whose <title> has the site's name twice");
});
