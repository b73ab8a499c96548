import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { docsLoader, i18nLoader } from '@astrojs/starlight/loaders';
import { docsSchema, i18nSchema } from '@astrojs/starlight/schema';
import { lessonFields } from './schemas/lesson.ts';

export const collections = {
  docs: defineCollection({ loader: docsLoader(), schema: docsSchema({ extend: lessonFields }) }),
  /** Starlight's interface strings; the course is in English and overrides none yet. */
  i18n: defineCollection({ loader: i18nLoader(), schema: i18nSchema() }),
  /** Each lab's README.md, rendered beside the editor through Astro's Markdown pipeline. */
  labInstructions: defineCollection({ loader: glob({ pattern: '*/README.md', base: './labs' }) }),
};
