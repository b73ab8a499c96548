/**
 * The lab's files as tabs in three groups: the learner's own files, the given code to read,
 * and the tests, all in one row that scrolls sideways instead of wrapping. The two read-only
 * groups fold away behind a toggle, and unfold when one of their files is opened from
 * elsewhere (a compile error, a failure's link).
 */
export interface FileTab {
  path: string;
  group: 'yours' | 'read-only' | 'tests';
}

const GROUP_LABEL: Record<FileTab['group'], string> = {
  yours: 'Your files',
  'read-only': 'Given code (read-only)',
  tests: 'Tests (read-only)',
};

export class FileTabs {
  private readonly root: HTMLElement;
  private readonly onOpen: (path: string) => void;
  private readonly buttons = new Map<string, HTMLButtonElement>();

  constructor(root: HTMLElement, tabs: FileTab[], onOpen: (path: string) => void) {
    this.root = root;
    this.onOpen = onOpen;
    const groups = (['yours', 'read-only', 'tests'] as const).filter((group) => tabs.some((t) => t.group === group));
    root.replaceChildren(...groups.map((group) => this.group(group, tabs.filter((t) => t.group === group))));
    this.select(tabs[0]!.path);
  }

  /** Marks `path` as the open file, unfolding its group. */
  select(path: string): void {
    const chosen = this.buttons.get(path);
    if (!chosen) return;
    for (const [other, button] of this.buttons) {
      button.setAttribute('aria-selected', String(other === path));
      button.tabIndex = other === path ? 0 : -1;
    }
    const list = chosen.closest<HTMLElement>('.wb-file-tabs')!;
    if (list.hidden) this.setExpanded(list, true);
    // Every group keeps one tab in the Tab order: the selected one, or its first.
    for (const other of this.root.querySelectorAll<HTMLElement>('.wb-file-tabs')) {
      if (!other.contains(chosen)) other.querySelector<HTMLButtonElement>('[role=tab]')!.tabIndex = 0;
    }
    chosen.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }

  private group(group: FileTab['group'], tabs: FileTab[]): HTMLElement {
    const box = document.createElement('div');
    box.className = 'wb-file-group';
    box.dataset.group = group;
    const list = document.createElement('div');
    list.className = 'wb-file-tabs';
    list.id = `wb-files-${group}`;
    list.setAttribute('role', 'tablist');
    list.setAttribute('aria-label', GROUP_LABEL[group]);
    for (const tab of tabs) {
      const button = document.createElement('button');
      button.type = 'button';
      button.setAttribute('role', 'tab');
      button.dataset.path = tab.path;
      button.textContent = tab.path.replace(/^src\//, '').replace(/^tests\//, '');
      button.title = group === 'yours' ? tab.path : `${tab.path} (read-only)`;
      button.addEventListener('click', () => {
        this.select(tab.path);
        this.onOpen(tab.path);
      });
      this.buttons.set(tab.path, button);
      list.append(button);
    }
    list.addEventListener('keydown', (event) => {
      const all = [...list.querySelectorAll<HTMLButtonElement>('[role=tab]')];
      const at = all.indexOf(document.activeElement as HTMLButtonElement);
      const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: all.length - 1 }[event.key];
      if (at < 0 || to === undefined) return;
      event.preventDefault();
      all[(to + all.length) % all.length]!.focus();
    });
    if (group === 'yours') {
      const label = document.createElement('span');
      label.className = 'wb-file-group-label';
      // The tablist's own label says it to a screen reader; this is for the eye.
      label.setAttribute('aria-hidden', 'true');
      label.textContent = 'Yours';
      box.append(label, list);
      return box;
    }
    const toggle = document.createElement('button');
    toggle.type = 'button';
    toggle.className = 'wb-file-group-toggle';
    toggle.setAttribute('aria-controls', list.id);
    toggle.textContent = `${GROUP_LABEL[group]} (${tabs.length})`;
    toggle.addEventListener('click', () => this.setExpanded(list, Boolean(list.hidden)));
    box.append(toggle, list);
    this.setExpanded(list, false, toggle);
    return box;
  }

  private setExpanded(list: HTMLElement, expanded: boolean, toggle = list.previousElementSibling as HTMLElement | null): void {
    list.hidden = !expanded;
    toggle?.setAttribute('aria-expanded', String(expanded));
  }
}
