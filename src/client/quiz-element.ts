/**
 * <lesson-quiz>: checks the learner's answers, explains every option, and records the score.
 * A question counts as right when exactly its correct options are chosen.
 */
import { browserProgress } from './progress.ts';

const VERDICT = {
  right: 'Right. ',
  wrong: 'Not this one. ',
  missed: 'This one was right too. ',
  unchosen: '',
} as const;

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
    let right = 0;
    for (const question of questions) {
      let allRight = true;
      for (const option of question.querySelectorAll<HTMLElement>('.quiz-option')) {
        const chosen = option.querySelector('input')!.checked;
        const correct = option.dataset.correct === 'true';
        const result = chosen ? (correct ? 'right' : 'wrong') : correct ? 'missed' : 'unchosen';
        if (result === 'wrong' || result === 'missed') allRight = false;
        option.dataset.result = result;
        option.querySelector('.quiz-verdict')!.textContent = VERDICT[result];
        option.querySelector<HTMLElement>('.quiz-explanation')!.hidden = false;
      }
      question.dataset.answered = allRight ? 'right' : 'wrong';
      if (allRight) right += 1;
    }
    this.querySelector('.quiz-score')!.textContent = `${right} of ${questions.length} right.`;
    this.querySelector<HTMLButtonElement>('.quiz-retry')!.hidden = false;
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
      option.querySelector<HTMLElement>('.quiz-explanation')!.hidden = true;
    }
    this.querySelector('.quiz-score')!.textContent = '';
    this.querySelector<HTMLButtonElement>('.quiz-retry')!.hidden = true;
  }
}

customElements.define('lesson-quiz', LessonQuiz);
