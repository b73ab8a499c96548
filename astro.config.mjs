// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import starlight from '@astrojs/starlight';
import { courseCatalog } from './src/course/catalog.ts';
import { INSTRUCTOR_VIEW_KEY } from './src/client/instructor-view.ts';

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

export default defineConfig({
  site: 'https://data-in-microservices.example',
  trailingSlash: 'always',
  server: { headers: isolationHeaders },
  vite: {
    // PGlite ships its own wasm and data files; pre-bundling it breaks their URLs in dev.
    optimizeDeps: { exclude: ['@electric-sql/pglite'] },
    worker: { format: 'es' },
  },
  integrations: [
    starlight({
      title: 'Data in Microservices',
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
