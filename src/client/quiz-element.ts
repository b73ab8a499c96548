/**
 * <lesson-quiz>: checks the learner's answers, explains every option, and records the score.
 * A question counts as right when exactly its correct options are chosen.
 */
import { browserProgress } from './progress.ts';

type OptionResult = 'right' | 'wrong' | 'missed' | 'unchosen';
type MarkedResult = Exclude<OptionResult, 'unchosen'>;

/** Words first, so the mark reads the same to a screen reader as it looks. */
const OPTION_MARK: Record<MarkedResult, string> = {
  right: 'Right: you chose it.',
  wrong: 'Wrong: you chose it.',
  missed: 'Missed: right, but not chosen.',
};

class LessonQuiz extends HTMLElement {
  connectedCallback(): void {
    const form = this.querySelector('form')!;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.check();
    });
    this.querySelector('.quiz-retry')!.addEventListener('click', () => this.retry());
  }

  private check(): void {
    const questions = [...this.querySelectorAll<HTMLFieldSetElement>('.quiz-question')];
    const toReview: HTMLFieldSetElement[] = [];
    for (const question of questions) {
      let wrong = 0;
      let missed = 0;
      let chosen = 0;
      for (const option of question.querySelectorAll<HTMLElement>('.quiz-option')) {
        const input = option.querySelector('input')!;
        const correct = option.dataset.correct === 'true';
        const result: OptionResult = input.checked ? (correct ? 'right' : 'wrong') : correct ? 'missed' : 'unchosen';
        if (input.checked) chosen += 1;
        if (result === 'wrong') wrong += 1;
        if (result === 'missed') missed += 1;
        option.dataset.result = result;
        const explanation = option.querySelector<HTMLElement>('.quiz-explanation')!;
        option.querySelector('.quiz-verdict')!.replaceChildren(...(result === 'unchosen' ? [] : this.mark(result, OPTION_MARK[result])));
        explanation.hidden = false;
        // Tied to the input only now: a description is read even while hidden, and would give the answer away.
        input.setAttribute('aria-describedby', explanation.id);
      }
      const allRight = wrong === 0 && missed === 0;
      question.dataset.answered = allRight ? 'right' : 'wrong';
      const verdict = question.querySelector<HTMLElement>('.quiz-question-verdict')!;
      verdict.replaceChildren(...this.mark(allRight ? 'right' : 'wrong', questionVerdict(question.dataset.kind === 'multiple', chosen, wrong, missed)));
      verdict.hidden = false;
      question.setAttribute('aria-describedby', verdict.id);
      if (!allRight) toReview.push(question);
    }
    const right = questions.length - toReview.length;
    this.querySelector('.quiz-score')!.textContent = `${right} of ${questions.length} right.`;
    this.querySelector('.quiz-review')!.replaceChildren(...reviewLinks(toReview, questions));
    this.querySelector<HTMLButtonElement>('.quiz-retry')!.hidden = false;
    // Enter in an option submits too, possibly screens above the score: bring it to the learner.
    this.querySelector('.quiz-result')!.scrollIntoView({ block: 'nearest' });
    try {
      browserProgress().recordQuiz(this.dataset.lesson!, right, questions.length);
    } catch {
      // Storage may be off (private mode): the quiz still works, the score is just not kept.
    }
  }

  private retry(): void {
    this.querySelector('form')!.reset();
    for (const option of this.querySelectorAll<HTMLElement>('.quiz-option')) {
      delete option.dataset.result;
      option.querySelector('.quiz-verdict')!.replaceChildren();
      option.querySelector<HTMLElement>('.quiz-explanation')!.hidden = true;
      option.querySelector('input')!.removeAttribute('aria-describedby');
    }
    for (const question of this.querySelectorAll<HTMLElement>('.quiz-question')) {
      delete question.dataset.answered;
      question.removeAttribute('aria-describedby');
      const verdict = question.querySelector<HTMLElement>('.quiz-question-verdict')!;
      verdict.replaceChildren();
      verdict.hidden = true;
    }
    this.querySelector('.quiz-score')!.textContent = '';
    this.querySelector('.quiz-review')!.replaceChildren();
    this.querySelector<HTMLButtonElement>('.quiz-retry')!.hidden = true;
    this.querySelector<HTMLElement>('.quiz-question input')?.focus();
  }

  /** An icon (decorative: the words carry the meaning) and the words. */
  private mark(kind: MarkedResult, words: string): Node[] {
    const icon = this.querySelector<HTMLTemplateElement>(`template[data-icon="${kind}"]`)!.content.cloneNode(true);
    return [icon, document.createTextNode(words)];
  }
}

function questionVerdict(multiple: boolean, chosen: number, wrong: number, missed: number): string {
  if (wrong === 0 && missed === 0) return 'Right.';
  if (chosen === 0) return `Not answered: the right ${multiple ? 'answers are' : 'answer is'} marked below.`;
  if (!multiple) return 'Wrong: the right answer is marked below.';
  const parts: string[] = [];
  if (wrong > 0) parts.push(`chose ${wrong === 1 ? 'a wrong answer' : `${wrong} wrong answers`}`);
  if (missed > 0) parts.push(`missed ${missed === 1 ? 'a right one' : `${missed} right ones`}`);
  return `Wrong: you ${parts.join(' and ')}.`;
}

/** "Look again at 2, 3 and 5.", each number a link to its question. */
function reviewLinks(toReview: HTMLElement[], all: HTMLElement[]): Node[] {
  if (toReview.length === 0) return [];
  const nodes: Node[] = [document.createTextNode(toReview.length === 1 ? 'Look again at question ' : 'Look again at questions ')];
  toReview.forEach((question, i) => {
    if (i > 0) nodes.push(document.createTextNode(i === toReview.length - 1 ? ' and ' : ', '));
    const link = document.createElement('a');
    link.href = `#${question.id}`;
    link.textContent = String(all.indexOf(question) + 1);
    nodes.push(link);
  });
  nodes.push(document.createTextNode('.'));
  return nodes;
}

customElements.define('lesson-quiz', LessonQuiz);
