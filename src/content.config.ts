import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { docsLoader, i18nLoader } from '@astrojs/starlight/loaders';
import { docsSchema, i18nSchema } from '@astrojs/starlight/schema';
import { glossaryFile } from './schemas/glossary.ts';
import { lessonFields } from './schemas/lesson.ts';
import { quiz } from './schemas/quiz.ts';
import { sqlConsole } from './schemas/sql-console.ts';

export const collections = {
  docs: defineCollection({ loader: docsLoader(), schema: docsSchema({ extend: lessonFields }) }),
  /**
   * Overrides of Starlight's UI strings (src/content/i18n/en.json), none so far. Starlight reads
   * this collection on every build, and Astro warns "The collection "i18n" does not exist or is
   * empty" when it is missing or has no entry, so en.json is there, as `{}`, until a string
   * needs changing. Keys: https://starlight.astro.build/guides/i18n/#translate-starlights-ui
   */
  i18n: defineCollection({ loader: i18nLoader(), schema: i18nSchema() }),
  /** Each lab's README.md, rendered beside the editor through Astro's Markdown pipeline. */
  labInstructions: defineCollection({ loader: glob({ pattern: '*/README.md', base: './labs' }) }),
  /** One self-check quiz per lesson, by lesson slug. */
  quizzes: defineCollection({ loader: glob({ pattern: '*.yaml', base: './src/content/quizzes' }), schema: quiz }),
  /** One live SQL console per lesson, by lesson slug. */
  consoles: defineCollection({ loader: glob({ pattern: '*.yaml', base: './src/content/consoles' }), schema: sqlConsole }),
  /** Glossary terms, one file per lesson; the glossary page merges them. */
  glossary: defineCollection({ loader: glob({ pattern: '*.yaml', base: './src/content/glossary' }), schema: glossaryFile }),
};
