/**
 * The page's own confirmation dialog, in place of the browser's confirm(): a modal <dialog>
 * (the browser keeps focus inside it and makes the page behind it inert), labelled by its
 * title and described by its text, that Escape cancels. Focus starts on the safe choice and
 * goes back to where it was when the dialog closes.
 */
export interface ConfirmOptions {
  title: string;
  text: string;
  confirmLabel: string;
  cancelLabel?: string;
}

let opened = 0;

export function askToConfirm({ title, text, confirmLabel, cancelLabel = 'Cancel' }: ConfirmOptions): Promise<boolean> {
  const id = `course-dialog-${++opened}`;
  const dialog = document.createElement('dialog');
  dialog.className = 'course-dialog';
  dialog.setAttribute('aria-labelledby', `${id}-title`);
  dialog.setAttribute('aria-describedby', `${id}-text`);
  const heading = document.createElement('h2');
  heading.id = `${id}-title`;
  heading.textContent = title;
  const body = document.createElement('p');
  body.id = `${id}-text`;
  body.textContent = text;
  const actions = document.createElement('div');
  actions.className = 'course-dialog-actions';
  const cancel = button(cancelLabel, 'course-button');
  const confirm = button(confirmLabel, 'course-button primary');
  actions.append(cancel, confirm);
  dialog.append(heading, body, actions);
  const returnFocus = document.activeElement as HTMLElement | null;
  document.body.append(dialog);

  return new Promise((resolve) => {
    cancel.addEventListener('click', () => dialog.close('cancel'));
    confirm.addEventListener('click', () => dialog.close('confirm'));
    dialog.addEventListener('close', () => {
      dialog.remove();
      returnFocus?.focus();
      resolve(dialog.returnValue === 'confirm');
    });
    dialog.showModal();
    cancel.focus();
  });
}

function button(label: string, className: string): HTMLButtonElement {
  const element = document.createElement('button');
  element.type = 'button';
  element.className = className;
  element.textContent = label;
  return element;
}

/** A modal dialog that shows `content` (a diagram at full size) with a Close button; Escape closes it too. */
export function showInDialog(title: string, content: HTMLElement): void {
  const id = `course-dialog-${++opened}`;
  const dialog = document.createElement('dialog');
  dialog.className = 'course-dialog wide';
  dialog.setAttribute('aria-labelledby', `${id}-title`);
  const heading = document.createElement('h2');
  heading.id = `${id}-title`;
  heading.textContent = title;
  const actions = document.createElement('div');
  actions.className = 'course-dialog-actions';
  const close = button('Close', 'course-button');
  actions.append(close);
  dialog.append(heading, content, actions);
  const returnFocus = document.activeElement as HTMLElement | null;
  document.body.append(dialog);
  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    dialog.remove();
    returnFocus?.focus();
  });
  dialog.showModal();
  close.focus();
}
