import type { GitContext } from './git-context.js';

/** The identity Gaffer commits with when the repository has none configured. */
export const FALLBACK_IDENTITY = { name: 'Gaffer', email: 'gaffer@localhost' } as const;

/**
 * `-c` options that make commits work without a configured git identity. The user's identity
 * wins whenever it is configured (repo, global or system config): only the missing keys get the
 * fallback `Gaffer <gaffer@localhost>`. Asked per commit so a config change is honoured at once.
 * (GIT_AUTHOR_* / GIT_COMMITTER_* in the environment still override both, as in plain git.)
 */
export async function identityArgs(ctx: GitContext, cwd: string): Promise<string[]> {
  const result = await ctx.git(['config', '--get-regexp', '^user\\.(name|email)$'], { cwd, allowFail: true });
  const keys = new Set(
    result.stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => (line.split(' ')[0] ?? '').toLowerCase()),
  );
  const args: string[] = [];
  if (!keys.has('user.name')) args.push('-c', `user.name=${FALLBACK_IDENTITY.name}`);
  if (!keys.has('user.email')) args.push('-c', `user.email=${FALLBACK_IDENTITY.email}`);
  return args;
}
