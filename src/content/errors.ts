/** One thing wrong in a content file, with where it is. */
export interface ContentProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** Thrown when `content/` cannot be used; lists every problem found, not just the first. */
export class ContentError extends Error {
  readonly code = 'CONTENT_INVALID';
  constructor(readonly problems: readonly ContentProblem[]) {
    super(`content/ has ${problems.length} problem(s):\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'ContentError';
  }
}

export const formatProblem = (p: ContentProblem): string => `  ${p.file}:${p.line}: ${p.message}`;
