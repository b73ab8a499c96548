// @ts-check
import { existsSync } from 'node:fs';
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import starlight from '@astrojs/starlight';
import { strategies } from './src/course/strategies.ts';
import { INSTRUCTOR_VIEW_KEY } from './src/client/instructor-view.ts';

/** Lessons appear in the sidebar in teaching order, as soon as their file exists. */
const lessonLinks = strategies
  .filter((s) => existsSync(new URL(`./src/content/docs/lessons/${s.slug}.mdx`, import.meta.url)))
  .map((s) => ({ label: `${s.number}. ${s.title}`, link: `/lessons/${s.slug}/` }));

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
