/**
 * A lesson's self-check quiz (src/content/quizzes/<lesson>.yaml). Every option carries an
 * explanation, whether it is right or wrong, because a learner learns most from why a tempting
 * answer is wrong.
 */
import { z } from 'zod';

export const quizOption = z.strictObject({
  text: z.string().min(1).meta({ description: 'The answer as the learner reads it.' }),
  correct: z.boolean().meta({ description: 'Whether choosing it is right.' }),
  explanation: z.string().min(10).meta({ description: 'Why it is right or wrong, shown after the learner checks.' }),
});

export const quizQuestion = z
  .strictObject({
    prompt: z.string().min(10),
    /** single: exactly one option is correct (radio buttons); multiple: one or more are (check boxes). */
    kind: z.enum(['single', 'multiple']),
    options: z.array(quizOption).min(2).max(6),
  })
  .superRefine((question, context) => {
    const correct = question.options.filter((o) => o.correct).length;
    if (correct === 0) context.addIssue({ code: 'custom', message: 'a question needs at least one correct option', path: ['options'] });
    if (question.kind === 'single' && correct !== 1) {
      context.addIssue({ code: 'custom', message: `a single-choice question has exactly one correct option, this one has ${correct}`, path: ['options'] });
    }
  });

export const quiz = z
  .strictObject({
    questions: z.array(quizQuestion).min(5),
  })
  .superRefine((value, context) => {
    const kinds = new Set(value.questions.map((q) => q.kind));
    if (kinds.size < 2) context.addIssue({ code: 'custom', message: 'a quiz mixes single- and multiple-choice questions', path: ['questions'] });
  });

export type Quiz = z.infer<typeof quiz>;
export type QuizQuestion = z.infer<typeof quizQuestion>;
