import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { docsLoader } from '@astrojs/starlight/loaders';
import { docsSchema } from '@astrojs/starlight/schema';
import { lessonFields } from './schemas/lesson.ts';

export const collections = {
  docs: defineCollection({ loader: docsLoader(), schema: docsSchema({ extend: lessonFields }) }),
  /** Each lab's README.md, rendered beside the editor through Astro's Markdown pipeline. */
  labInstructions: defineCollection({ loader: glob({ pattern: '*/README.md', base: './labs' }) }),
};
