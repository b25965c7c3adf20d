import { detectNode } from './detect-node.js';
import { detectPython } from './detect-python.js';
import { pathExists, readTextIfExists } from './repo-files.js';
import { sortVerifiers, type VerifierCommand } from './verifier-command.js';

type Detector = (dir: string) => Promise<VerifierCommand[]>;

/** Earlier detectors win a name: the most specific ecosystem knows best how to run its checks. */
const DETECTORS: readonly Detector[] = [detectNode, detectCargo, detectGo, detectPython, detectMake];

/**
 * The repository's own check commands found in `dir`, in canonical order (build, typecheck,
 * lint, test). Only reads files; nothing is run, so it is safe on an untrusted worktree.
 */
export async function detectVerifiers(dir: string): Promise<VerifierCommand[]> {
  const byName = new Map<string, VerifierCommand>();
  for (const detect of DETECTORS) {
    for (const command of await detect(dir)) {
      if (!byName.has(command.name)) byName.set(command.name, command);
    }
  }
  return sortVerifiers([...byName.values()]);
}

async function detectCargo(dir: string): Promise<VerifierCommand[]> {
  if (!(await pathExists(dir, 'Cargo.toml'))) return [];
  const source = 'Cargo.toml';
  return [
    { name: 'build', argv: ['cargo', 'build'], source },
    // clippy ships with rustup's default profile; a missing one shows up as a clear ENOENT result.
    { name: 'lint', argv: ['cargo', 'clippy', '--', '-D', 'warnings'], source },
    { name: 'test', argv: ['cargo', 'test'], source },
  ];
}

async function detectGo(dir: string): Promise<VerifierCommand[]> {
  if (!(await pathExists(dir, 'go.mod'))) return [];
  const source = 'go.mod';
  return [
    { name: 'build', argv: ['go', 'build', './...'], source },
    { name: 'lint', argv: ['go', 'vet', './...'], source },
    { name: 'test', argv: ['go', 'test', './...'], source },
  ];
}

/** Make targets that mean a verifier; `check` stands in for `lint` when there is no `lint`. */
const MAKE_TARGETS: readonly [target: string, name: string][] = [
  ['build', 'build'],
  ['typecheck', 'typecheck'],
  ['lint', 'lint'],
  ['check', 'lint'],
  ['test', 'test'],
];

async function detectMake(dir: string): Promise<VerifierCommand[]> {
  for (const file of ['GNUmakefile', 'makefile', 'Makefile']) {
    const text = await readTextIfExists(dir, file);
    if (text === undefined) continue;
    const targets = makeTargets(text);
    const found: VerifierCommand[] = [];
    for (const [target, name] of MAKE_TARGETS) {
      if (targets.has(target) && !found.some((command) => command.name === name)) {
        found.push({ name, argv: ['make', target], source: `${file} target ${target}` });
      }
    }
    return found;
  }
  return [];
}

/** Names on rule lines (`test lint: deps`), leaving out variable assignments (`X := y`, `X ::= y`). */
export function makeTargets(makefile: string): Set<string> {
  const targets = new Set<string>();
  for (const line of makefile.split(/\r?\n/)) {
    const match = /^([^\s:#=][^:#=]*?)\s*(?:::|:)(?![:=])/.exec(line);
    if (!match?.[1]) continue;
    for (const target of match[1].split(/\s+/)) targets.add(target);
  }
  return targets;
}
