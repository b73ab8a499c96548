/**
 * A lesson's live SQL console (src/content/consoles/<lesson>.yaml): the engine the lesson's
 * service uses, the seed that creates its tables and data, and suggested queries that show the
 * idea. Every suggested query must run without error on the seed, in order (a test checks it).
 */
import { z } from 'zod';

export const suggestedQuery = z.strictObject({
  label: z.string().min(3).meta({ description: 'The button text, saying what the query shows.' }),
  sql: z.string().min(3).meta({ description: 'One or more statements; the console shows the last result that has rows.' }),
  note: z.string().min(10).meta({ description: 'What to notice in the result.' }),
  /** The query is meant to fail (a permission denied, a constraint): the lesson is the error itself. */
  expectError: z.boolean().default(false),
});

export const sqlConsole = z.strictObject({
  engine: z.enum(['pglite', 'sqljs']).meta({ description: 'pglite for PostgreSQL, sqljs for SQLite: the engine the lesson\'s service uses.' }),
  title: z.string().min(3),
  intro: z.string().min(20).meta({ description: 'One paragraph: which service this database belongs to and what is in it.' }),
  seed: z.string().min(10).meta({ description: 'SQL that creates the tables and data; run when the console opens and on Reset.' }),
  queries: z.array(suggestedQuery).min(2),
});

export type SqlConsole = z.infer<typeof sqlConsole>;
