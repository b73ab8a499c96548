// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import starlight from '@astrojs/starlight';
import { courseCatalog } from './src/course/catalog.ts';
import { INSTRUCTOR_VIEW_KEY } from './src/client/instructor-view.ts';
import { isMonacoStyleModule, monacoStylesWithTheEditor } from './src/build/monaco-styles-plugin.ts';

/**
 * The sidebar reads the course catalog. Reading it here also checks it, so a lesson whose `lab:`
 * names a missing lab or another strategy's lab stops every build and dev server with the reason.
 */
const catalog = courseCatalog();
/** Lessons in teaching order, as soon as their file exists. */
const lessonLinks = catalog.strategies.flatMap((s) => (s.lesson ? [{ label: `${s.number}. ${s.title}`, link: `/lessons/${s.lesson.slug}/` }] : []));
/** Every lab, by its strategy's number, whatever its id. */
const labLinks = catalog.labs.map((lab) => ({ label: `${lab.strategy}. ${lab.title}`, link: `/labs/${lab.id}/` }));

/**
 * WebContainers need a cross-origin isolated page. PGlite, sql.js and Monaco work with these
 * headers on, so dev and preview always send them; production hosts get them from public/_headers.
 */
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * Build warnings that were each traced to their cause and are harmless, matched by warning code
 * (or plugin) AND module, so the same warning from any other module still shows. Everything else
 * the build prints is worth reading; tests/e2e/build-output.test.ts fails on any [WARN] line.
 *
 * Rolldown's `bundlerTimings` check (PLUGIN_TIMINGS, "JavaScript callbacks ran for 1.1s of this
 * 4.5s build") is turned off in the config below instead: it reports how fast the build itself
 * runs, whether it fires depends on how busy the machine is, and nothing in it concerns the site.
 * Profile a slow build with `node --cpu-prof node_modules/.bin/astro build`.
 *
 * @param {{ code?: string, id?: string, plugin?: string, message: string }} log
 */
export function isKnownHarmless(log) {
  const message = String(log.message ?? '');
  const pglite = /[\\/]node_modules[\\/]@electric-sql[\\/]pglite[\\/]/;
  return (
    // Astro 7.3 starts each content entry's asset module (`<entry>.mdx?astroPropagatedAssets`)
    // with the directive "use astro:head-inject", which Rolldown cannot keep once it bundles.
    // Nothing reads it any more: Astro finds those modules by their `?astroPropagatedAssets` id
    // (astro/dist/vite-plugin-head). Reported upstream as withastro/astro#18087.
    (log.code === 'MODULE_LEVEL_DIRECTIVE' && Boolean(log.id?.endsWith('?astroPropagatedAssets')) && message.includes('"use astro:head-inject"')) ||
    // PGlite's Emscripten runtime evaluates the EM_ASM / EM_JS snippets of Postgres extensions
    // with a direct eval, by design (they refer to the runtime's own variables). Rolldown leaves the
    // names that eval could see unmangled, so it still works; it is PGlite's published build.
    (log.code === 'EVAL' && pglite.test(log.id ?? '')) ||
    // PGlite's Emscripten runtime imports node:module only `if (ENVIRONMENT_IS_NODE)`, so the empty
    // module Vite puts in its place is never touched in the browser (the workers that run PGlite:
    // src/runner/worker/browser-engines.ts and src/runner/console/worker.ts).
    (log.plugin === 'rolldown:vite-resolve' &&
      /^Module "node:module" has been externalized for browser compatibility, imported by "[^"]*[\\/]node_modules[\\/]@electric-sql[\\/]pglite[\\/]/.test(message))
  );
}

/**
 * Vite's warning for a browser chunk over 500 kB after minification (1 kB = 1000 bytes, as Vite
 * counts), except for a chunk made only of Monaco (with the modules that carry its CSS:
 * src/build/monaco-styles-plugin.ts): its editor core (about 2.7 MB) and its
 * TypeScript support (about 1.2 MB) are each needed whole as soon as the editor opens, so splitting
 * them would only add requests, and they load only on a lab page (src/client/editor.ts).
 * @returns {import('vite').Plugin}
 */
function chunkSizeCheck() {
  const limitBytes = 500 * 1000;
  const monaco = /[\\/]node_modules[\\/]monaco-editor[\\/]/;
  return {
    name: 'course:chunk-size',
    applyToEnvironment: (environment) => environment.config.consumer === 'client',
    generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk' || chunk.code.length <= limitBytes) continue;
        if (Object.keys(chunk.modules).every((id) => monaco.test(id) || isMonacoStyleModule(id))) continue;
        this.warn(
          `${chunk.fileName} is ${Math.round(chunk.code.length / 1000)} kB after minification, over ${limitBytes / 1000} kB: ` +
            'load what it holds with a dynamic import() where it is needed, or split it with build.rolldownOptions.output.codeSplitting.',
        );
      }
    },
  };
}

export default defineConfig({
  site: 'https://data-in-microservices.example',
  trailingSlash: 'always',
  server: { headers: isolationHeaders },
  vite: {
    // PGlite ships its own wasm and data files; pre-bundling it breaks their URLs in dev.
    optimizeDeps: { exclude: ['@electric-sql/pglite'] },
    plugins: [chunkSizeCheck(), monacoStylesWithTheEditor()],
    worker: { format: 'es', rolldownOptions: { checks: { bundlerTimings: false } } },
    build: {
      // Vite's own check would flag Monaco's two chunks on every build; chunkSizeCheck() above
      // makes the same check at the same limit for every other chunk.
      chunkSizeWarningLimit: Number.MAX_SAFE_INTEGER,
      rolldownOptions: {
        checks: { bundlerTimings: false },
        onLog(level, log, handler) {
          if (level === 'warn' && isKnownHarmless(log)) return;
          handler(level, log);
        },
      },
    },
  },
  integrations: [
    starlight({
      title: 'Data in Microservices',
      // The 404 page is src/pages/404.astro; why it is not a docs entry, it says.
      disable404Route: true,
      description: 'Twelve data-management strategies for microservices, with runnable labs on real embedded databases.',
      sidebar: [
        {
          label: 'Course',
          items: [
            { label: 'Home', link: '/' },
            { label: 'Course map', link: '/course-map/' },
            { label: 'Glossary', link: '/glossary/' },
            { label: 'Your progress', link: '/progress/' },
          ],
        },
        { label: 'Lessons', items: lessonLinks },
        ...(labLinks.length > 0 ? [{ label: 'Labs', items: labLinks }] : []),
      ],
      components: {
        PageTitle: './src/components/LessonTitle.astro',
        Search: './src/components/SiteSearch.astro',
        SocialIcons: './src/components/InstructorToggle.astro',
      },
      head: [
        // Applied before the page paints, so instructor notes do not flash in or out.
        {
          tag: 'script',
          content: `try{if(localStorage.getItem(${JSON.stringify(INSTRUCTOR_VIEW_KEY)})==='on')document.documentElement.setAttribute('data-instructor-view','')}catch{}`,
        },
      ],
      customCss: ['./src/styles/course.css'],
      routeMiddleware: './src/route-middleware.ts',
    }),
    mdx(),
  ],
});
