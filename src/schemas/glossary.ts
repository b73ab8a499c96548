/** Glossary terms, one file per lesson (src/content/glossary/<lesson>.yaml), merged into one page. */
import { z } from 'zod';

export const glossaryTerm = z.strictObject({
  /** The anchor lessons link to: /glossary/#<id>. */
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'kebab-case'),
  term: z.string().min(2),
  definition: z.string().min(20),
});

export const glossaryFile = z.strictObject({ terms: z.array(glossaryTerm).min(1) });
export type GlossaryTerm = z.infer<typeof glossaryTerm>;
