import { readFile, stat } from 'node:fs/promises';
import { execGit } from '../../git/exec-git.js';
import { checkRead } from '../policy/tool-policy.js';
import { resolveInside } from '../worktree-path.js';
import type { ContextFile, RepoSnapshot } from './pack-context.js';
import { looksBinary, walkFiles } from './walk-files.js';

const INSTRUCTION_FILES = ['AGENTS.md', 'CLAUDE.md'];
/** More files than this in a repository map is noise; the map is cut to its budget anyway. */
const MAX_MAP_FILES = 5_000;
/** Context files larger than this are not inlined. */
const MAX_CONTEXT_FILE_BYTES = 512 * 1024;

/**
 * Runs Gaffer's own safe git (a scratch environment, repository config that would run programs
 * neutralised: the worktree's config is the agent's to write) and returns its stdout, or
 * undefined on failure.
 */
export async function gitStdout(cwd: string, args: string[]): Promise<string | undefined> {
  try {
    const result = await execGit(args, { cwd, allowFail: true });
    return result.code === 0 ? result.stdout : undefined;
  } catch {
    return undefined; // no git on PATH
  }
}

async function trackedFiles(cwd: string): Promise<string[] | undefined> {
  const output = await gitStdout(cwd, ['ls-files', '-z']);
  return output
    ?.split('\0')
    .filter((file) => file !== '')
    .slice(0, MAX_MAP_FILES);
}

/**
 * What the run's stable prefix is made of: the root's AGENTS.md / CLAUDE.md and the tracked files
 * (`git ls-files`, so build output and ignored files stay out; a plain walk outside git).
 */
export async function readRepoSnapshot(cwd: string): Promise<RepoSnapshot> {
  const instructions: { name: string; text: string }[] = [];
  for (const name of INSTRUCTION_FILES) {
    try {
      instructions.push({ name, text: await readFile(`${cwd}/${name}`, 'utf8') });
    } catch {
      // not there
    }
  }
  const files = (await trackedFiles(cwd)) ?? (await walkFiles(cwd, cwd, MAX_MAP_FILES)).files;
  return { instructions, files };
}

async function readContextFile(cwd: string, relative: string): Promise<ContextFile> {
  const absolute = resolveInside(cwd, relative);
  if (absolute === undefined) return { path: relative, problem: 'outside the worktree' };
  const decision = checkRead(cwd, absolute);
  if (!decision.allowed) return { path: relative, problem: 'holds secrets' };
  try {
    const info = await stat(absolute);
    if (!info.isFile()) return { path: relative, problem: 'not a file' };
    if (info.size > MAX_CONTEXT_FILE_BYTES)
      return { path: relative, problem: `${info.size} bytes, too large` };
    const bytes = await readFile(absolute);
    if (looksBinary(bytes)) return { path: relative, problem: 'binary' };
    return { path: relative, content: bytes.toString('utf8') };
  } catch {
    return { path: relative, problem: 'not found' };
  }
}

/** Reads the task's context files from the worktree; problems are reported, never thrown. */
export function readContextFiles(cwd: string, paths: readonly string[]): Promise<ContextFile[]> {
  return Promise.all([...new Set(paths)].map((relative) => readContextFile(cwd, relative)));
}
