/** One thing wrong with a lab folder: where it is, what is wrong, and how to fix it. */
export interface LabProblem {
  /** A file in the lab folder, optionally with a field path: `lab.json › tasks[0].title`. */
  where: string;
  problem: string;
  fix: string;
}

/** Thrown when a lab folder breaks its file contract. Its message lists every problem found. */
export class LabFormatError extends Error {
  readonly labId: string;
  readonly problems: LabProblem[];

  constructor(labId: string, problems: LabProblem[]) {
    const lines = problems.map((p) => `  - ${p.where}: ${p.problem}\n    Fix: ${p.fix}`);
    super(`Lab "${labId}" is not valid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
    this.name = 'LabFormatError';
    this.labId = labId;
    this.problems = problems;
  }
}
