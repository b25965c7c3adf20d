import { homedir } from 'node:os';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import { expandHome } from '../../domain/index.js';

/** What a permission check decided; `reason` is shown to the agent and recorded as an event. */
export type PolicyDecision = { allowed: true } | { allowed: false; reason: string };

const ALLOW: PolicyDecision = { allowed: true };
const deny = (reason: string): PolicyDecision => ({ allowed: false, reason });

/** Paths no agent reads, wherever they are: credentials and local secrets. */
const SECRET_GLOBS = [
  '**/.env',
  '**/.env.*',
  '**/.ssh/**',
  '**/.aws/**',
  '**/.gnupg/**',
  '**/.netrc',
  '**/.npmrc',
];
const isSecretPath = picomatch(SECRET_GLOBS, { dot: true });

function normalise(worktree: string, path: string): { absolute: string; inside: string | undefined } {
  const absolute = resolve(worktree, expandHome(path, homedir()) ?? path);
  const rel = relative(worktree, absolute);
  const inside =
    rel === '' || (!rel.startsWith('..') && !isAbsolute(rel)) ? rel.split(sep).join('/') : undefined;
  return { absolute, inside };
}

/**
 * May the agent write `path`? Only inside its worktree, never under a protected glob
 * (`.git/**`, `.gaffer/**` and the plan's own), never a secrets file.
 */
export function checkWrite(
  worktree: string,
  path: string,
  protectedGlobs: readonly string[],
): PolicyDecision {
  const { inside, absolute } = normalise(worktree, path);
  if (inside === undefined) return deny(`${absolute} is outside the task's worktree ${worktree}`);
  if (inside !== '' && picomatch.isMatch(inside, [...protectedGlobs], { dot: true })) {
    return deny(`${inside} is a protected path (${protectedGlobs.join(', ')})`);
  }
  if (isSecretPath(inside)) return deny(`${inside} holds secrets and may not be changed`);
  return ALLOW;
}

/** May the agent read `path`? Anywhere but secrets (`~/.ssh`, `~/.aws`, `.env*`, …). */
export function checkRead(worktree: string, path: string): PolicyDecision {
  const { absolute } = normalise(worktree, path);
  if (isSecretPath(absolute) || isSecretPath(absolute.replace(/^\//, '')))
    return deny(`${absolute} holds secrets and may not be read`);
  return ALLOW;
}

interface CommandRule {
  test: (words: string[], text: string, worktree: string) => boolean;
  reason: string;
}

const words = (text: string) => text.split(/\s+/).filter(Boolean);
const hasFlag = (list: string[], ...flags: string[]) =>
  list.some(
    (w) =>
      flags.includes(w) ||
      (/^-[a-zA-Z]+$/.test(w) && flags.some((f) => f.length === 2 && w.includes(f[1] ?? ''))),
  );

const RULES: CommandRule[] = [
  {
    reason: 'recursive delete outside the worktree',
    test: (w, _t, worktree) =>
      w[0] === 'rm' &&
      hasFlag(w, '-r', '-R', '--recursive') &&
      w.slice(1).some((arg) => !arg.startsWith('-') && normalise(worktree, arg).inside === undefined),
  },
  {
    reason: 'recursive delete of the whole worktree',
    test: (w, _t, worktree) =>
      w[0] === 'rm' &&
      hasFlag(w, '-r', '-R', '--recursive') &&
      w.slice(1).some((arg) => !arg.startsWith('-') && normalise(worktree, arg).inside === ''),
  },
  {
    reason: 'force push',
    test: (w) => w[0] === 'git' && w.includes('push') && hasFlag(w, '-f', '--force', '--force-with-lease'),
  },
  { reason: 'git push (Gaffer delivers branches itself)', test: (w) => w[0] === 'git' && w[1] === 'push' },
  {
    reason: 'git reset --hard on a shared ref',
    test: (w) =>
      w[0] === 'git' &&
      w.includes('reset') &&
      w.includes('--hard') &&
      w.some((a) => /^(origin\/|main$|master$|gaffer\/)/.test(a)),
  },
  {
    reason: 'switching branches (each task owns its branch)',
    test: (w) =>
      w[0] === 'git' &&
      (w[1] === 'checkout' || w[1] === 'switch') &&
      w.includes('-b') === false &&
      w.length > 2 &&
      !w.includes('--'),
  },
  {
    reason: 'reading credentials (~/.ssh, ~/.aws, .env files)',
    test: (_w, text) =>
      /(^|[\s'"=/])(~\/)?\.(ssh|aws|gnupg)(\/|\s|$)|(^|[\s'"/])\.env(\.[\w.-]+)?(\s|$|['"])|\.netrc/.test(
        text,
      ),
  },
  {
    reason: 'piping a download into a shell',
    test: (_w, text) => /\b(curl|wget)\b[^|]*\|\s*(ba|z)?sh\b/.test(text),
  },
  { reason: 'privilege escalation', test: (w) => w[0] === 'sudo' || w[0] === 'su' },
];

/**
 * May the agent run this shell command? Checks every `&&`/`;`/`|` segment against a deny list:
 * recursive deletes outside the worktree, force pushes, hard resets of shared refs, reads of
 * `~/.ssh`, `~/.aws` and `.env*`, `curl | sh`, sudo.
 */
export function checkCommand(worktree: string, command: string): PolicyDecision {
  for (const segment of command.split(/&&|\|\||;|\n/)) {
    const text = segment.trim();
    if (!text) continue;
    const list = words(text.replace(/^(env\s+(\w+=\S+\s+)*|\w+=\S+\s+)+/, ''));
    for (const rule of RULES)
      if (rule.test(list, text, worktree)) return deny(`denied: ${rule.reason}: ${text}`);
  }
  return ALLOW;
}
