import type { GitContext } from './git-context.js';

/** The identity Gaffer commits with when the repository has none configured. */
export const FALLBACK_IDENTITY = { name: 'Gaffer', email: 'gaffer@localhost' } as const;

/**
 * `-c` options that make commits work without a configured git identity. The user's identity
 * wins whenever it is configured (repo, global or system config): only the missing keys get the
 * fallback `Gaffer <gaffer@localhost>`. Asked per commit so a config change is honoured at once:
 * the repository's config as its guard last read it, which is read again when a config file
 * changed. (GIT_AUTHOR_* / GIT_COMMITTER_* in the environment still override both, as in plain git.)
 */
export async function identityArgs(ctx: GitContext, cwd: string): Promise<string[]> {
  const keys = new Set(await configuredIdentityKeys(ctx, cwd));
  const args: string[] = [];
  if (!keys.has('user.name')) args.push('-c', `user.name=${FALLBACK_IDENTITY.name}`);
  if (!keys.has('user.email')) args.push('-c', `user.email=${FALLBACK_IDENTITY.email}`);
  return args;
}

async function configuredIdentityKeys(ctx: GitContext, cwd: string): Promise<string[]> {
  if (ctx.configAt !== undefined)
    return (await ctx.configAt(cwd)).map((e) => e.key).filter((key) => /^user\.(name|email)$/.test(key));
  const result = await ctx.git(['config', '--get-regexp', '^user\\.(name|email)$'], { cwd, allowFail: true });
  return result.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (line.split(' ')[0] ?? '').toLowerCase());
}
