import { GafferError } from '../domain/index.js';

const STDERR_TAIL = 2000;

/** A git command exited non-zero (or could not be started). */
export class GitError extends GafferError {
  override readonly name = 'GitError';
  /** The git arguments, without the leading `git` and Gaffer's `-c` options. */
  readonly args: readonly string[];
  /** Exit code, or `undefined` when git could not be started. */
  readonly exitCode: number | undefined;
  /** The last 2000 characters of stderr. */
  readonly stderr: string;

  constructor(
    args: readonly string[],
    exitCode: number | undefined,
    stderr: string,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    const tail = stderr.trim().slice(-STDERR_TAIL);
    const firstLine = tail.split('\n').find((line) => line.trim() !== '') ?? '';
    const shown = args.slice(0, 3).join(' ');
    super(
      'GAFFER_GIT',
      `git ${shown}${args.length > 3 ? ' …' : ''} failed` +
        (exitCode === undefined ? '' : ` (exit ${exitCode})`) +
        (firstLine ? `: ${firstLine}` : ''),
      { hint: options.hint, cause: options.cause, details: { args, exitCode, stderr: tail } },
    );
    this.args = args;
    this.exitCode = exitCode;
    this.stderr = tail;
  }

  /** Works across copies of the module, unlike `instanceof`. */
  static override isInstance(error: unknown): error is GitError {
    return GafferError.isInstance(error) && error.name === 'GitError';
  }
}
