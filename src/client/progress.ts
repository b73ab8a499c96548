/**
 * The learner's progress, kept in this browser: lessons read, quiz scores, best lab scores.
 * Small and synchronous (localStorage), so lesson pages can record a visit without loading
 * anything; exportable to a file and importable from it, exactly.
 */

export interface Progress {
  version: 1;
  /** Lesson slug -> when the learner reached the end of it. */
  lessons: Record<string, { readAt: string }>;
  /** Lesson slug -> the last and the best quiz score. */
  quizzes: Record<string, { score: number; max: number; best: number; at: string }>;
  /** Lab id (never a lesson slug) -> the best score reached, and the lab version it was reached on. */
  labs: Record<string, { best: number; max: number; labVersion: number; at: string }>;
}

export const PROGRESS_KEY = 'data-in-microservices:progress';

/** The part of Web Storage this module uses, so it can be tested with a Map. */
export type ProgressStorage = Pick<Storage, 'getItem' | 'setItem'>;

export function emptyProgress(): Progress {
  return { version: 1, lessons: {}, quizzes: {}, labs: {} };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const allEntries = (value: unknown, check: (entry: Record<string, unknown>) => boolean) =>
  isRecord(value) && Object.values(value).every((entry) => isRecord(entry) && check(entry));
const isNumber = (value: unknown) => typeof value === 'number' && Number.isFinite(value);

/** Says what is wrong with a value that should be a Progress, or nothing. */
export function progressProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'it is not a JSON object';
  if (value.version !== 1) return `it has version ${JSON.stringify(value.version)}, and this site reads version 1`;
  if (!allEntries(value.lessons, (e) => typeof e.readAt === 'string')) return '"lessons" is not a map of { readAt }';
  if (!allEntries(value.quizzes, (e) => isNumber(e.score) && isNumber(e.max) && isNumber(e.best) && typeof e.at === 'string')) return '"quizzes" is not a map of { score, max, best, at }';
  if (!allEntries(value.labs, (e) => isNumber(e.best) && isNumber(e.max) && isNumber(e.labVersion) && typeof e.at === 'string')) return '"labs" is not a map of { best, max, labVersion, at }';
  const extra = Object.keys(value).filter((k) => !['version', 'lessons', 'quizzes', 'labs'].includes(k));
  if (extra.length > 0) return `it has unknown fields: ${extra.join(', ')}`;
  return undefined;
}

export function createProgressStore(storage: ProgressStorage) {
  const stored = (): Progress | undefined => {
    try {
      const value: unknown = JSON.parse(storage.getItem(PROGRESS_KEY) ?? 'null');
      return value !== null && progressProblem(value) === undefined ? (value as Progress) : undefined;
    } catch {
      return undefined;
    }
  };
  const read = (): Progress => stored() ?? emptyProgress();
  const write = (progress: Progress) => {
    // Progress that cannot be read is the learner's all the same: keep it aside, never overwrite it.
    const raw = storage.getItem(PROGRESS_KEY);
    if (raw !== null && stored() === undefined) storage.setItem(`${PROGRESS_KEY}:unreadable:${Date.now()}`, raw);
    storage.setItem(PROGRESS_KEY, JSON.stringify(progress));
  };
  const update = (change: (progress: Progress) => void) => {
    const progress = read();
    change(progress);
    write(progress);
  };
  const now = () => new Date().toISOString();

  return {
    read,
    markLessonRead(slug: string): void {
      update((p) => {
        p.lessons[slug] ??= { readAt: now() };
      });
    },
    recordQuiz(slug: string, score: number, max: number): void {
      update((p) => {
        const best = Math.max(score, p.quizzes[slug]?.best ?? 0);
        p.quizzes[slug] = { score, max, best, at: now() };
      });
    },
    recordLab(labId: string, score: number, max: number, labVersion: number): void {
      update((p) => {
        const previous = p.labs[labId];
        if (!previous || previous.labVersion !== labVersion || score > previous.best) p.labs[labId] = { best: score, max, labVersion, at: now() };
      });
    },
    /** The whole progress as a file's text. */
    exportText(): string {
      return `${JSON.stringify(read(), null, 2)}\n`;
    },
    /** Replaces the progress with a file's; nothing changes when the file cannot be read. */
    importText(text: string): { ok: true } | { ok: false; message: string } {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return { ok: false, message: 'The file is not JSON. Choose a file exported from the progress page.' };
      }
      const problem = progressProblem(value);
      if (problem) return { ok: false, message: `The file is not a progress export: ${problem}. Your progress was not changed.` };
      write(value as Progress);
      return { ok: true };
    },
  };
}

export type ProgressStore = ReturnType<typeof createProgressStore>;

/** One strategy's row of the progress page: its lesson's slug, if it has a lesson, and its labs' ids. */
export interface ProgressRow {
  lesson?: string;
  labs: readonly string[];
}

/**
 * What the progress page shows in a strategy's row. Lessons and quizzes are kept by lesson slug
 * and labs by lab id, which need not be the lesson's slug (the lab `backup-recovery` practises
 * the lesson `backup-and-recovery`), so the row names both. Undefined: nothing recorded yet.
 */
export function progressRowText(progress: Progress, row: ProgressRow): { lesson?: string; quiz?: string; labs: { id: string; text?: string }[] } {
  const lesson = row.lesson === undefined ? undefined : progress.lessons[row.lesson];
  const quiz = row.lesson === undefined ? undefined : progress.quizzes[row.lesson];
  return {
    ...(lesson ? { lesson: `read ${new Date(lesson.readAt).toLocaleDateString()}` } : {}),
    ...(quiz ? { quiz: `best ${quiz.best} / ${quiz.max}, last ${quiz.score} / ${quiz.max}` } : {}),
    labs: row.labs.map((id) => {
      const lab = progress.labs[id];
      return lab ? { id, text: `best ${lab.best} / ${lab.max}` } : { id };
    }),
  };
}

/** The store of this browser. */
export function browserProgress(): ProgressStore {
  return createProgressStore(localStorage);
}
