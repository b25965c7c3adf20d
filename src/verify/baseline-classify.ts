import type { VerifierResult } from '../domain/index.js';

/** What the repository's setup looks like, as far as it explains a check that cannot run. */
export interface SetupFacts {
  /** Where the setup command must run: the main working tree, whose dependencies worktrees find by walking up. */
  repoRoot: string;
  /** package.json declares dependencies but no `node_modules` is installed. */
  nodeModulesMissing: boolean;
  /** The command that installs the Node dependencies, from the lockfile: `npm ci`, `pnpm install --frozen-lockfile`… */
  nodeSetup: string;
  /** The command that installs the Python dependencies, when the repository says how. */
  pythonSetup: string | undefined;
}

/** How a check ended on the base commit: it passed, it ran and failed, or it could not run at all. */
export type BaselineVerdict =
  { kind: 'passed' } | { kind: 'failed'; fix: string } | { kind: 'cannot-run'; cause: string; fix: string };

const PACKAGE_RUNNERS = new Set(['npm', 'npx', 'pnpm', 'yarn', 'bun', 'bunx']);

/** `sh: 1: eslint: not found`, `bash: eslint: command not found`, `env: 'eslint': No such file or directory`. */
const SHELL_NOT_FOUND =
  /(?:^|\n)[^\n]*?:\s*'?([\w@./+-]+)'?:\s*(?:command not found|not found|No such file or directory)\s*(?:\n|$)/;
const NODE_MISSING_MODULE = /Cannot find (?:module|package) '([^']+)'/;
const NODE_MISSING_CODE = /\b(?:ERR_MODULE_NOT_FOUND|MODULE_NOT_FOUND)\b/;
const PYTHON_MISSING_MODULE = /ModuleNotFoundError: No module named '([^']+)'/;

/**
 * Tells a check that could not run (its binary is missing, the dependencies are not installed)
 * from one that ran and failed, from its result alone plus what is known of the setup; each
 * with the one fix that would let the run go on. Pure: the caller gathers the facts.
 */
export function classifyBaselineResult(
  result: VerifierResult,
  argv: readonly string[],
  facts: SetupFacts,
): BaselineVerdict {
  if (result.passed) return { kind: 'passed' };
  const skip = `or add "${result.name}" to verifiers.skip in the plan`;
  const binary = argv[0] ?? '';
  const viaPackageRunner = PACKAGE_RUNNERS.has(binary);
  const setup = `run \`${facts.nodeSetup}\` in ${facts.repoRoot}`;

  const cannotStart = /^gaffer: cannot run [^:]+: (.*)$/m.exec(result.output);
  if (result.exitCode === null && cannotStart) {
    const cause = cannotStart[1] ?? 'it could not be started';
    if (cause.startsWith('command not found'))
      return {
        kind: 'cannot-run',
        cause: `command not found: ${binary}`,
        fix: `install ${binary} (it must be on PATH), ${skip}`,
      };
    if (cause.startsWith('permission denied'))
      return { kind: 'cannot-run', cause, fix: `make ${binary} executable (chmod +x), ${skip}` };
    return {
      kind: 'cannot-run',
      cause,
      fix: `fix the command in verifiers.commands.${result.name}, ${skip}`,
    };
  }
  if (result.timedOut) {
    return {
      kind: 'failed',
      fix: `it timed out on the base commit: raise verifiers.timeout_s, ${skip}`,
    };
  }

  // The module's name, when the message gives it, tells a missing dependency from a missing file.
  const missingModule = NODE_MISSING_MODULE.exec(result.output)?.[1];
  const missingNode = missingModule !== undefined || NODE_MISSING_CODE.test(result.output);
  const relativeModule = missingModule !== undefined && /^[./]/.test(missingModule);
  if (missingNode && !relativeModule) {
    const what = missingModule ? `module ${missingModule}` : 'a module';
    return {
      kind: 'cannot-run',
      cause: `cannot find ${what}: dependencies not installed`,
      fix: `${setup}, ${skip}`,
    };
  }
  const missingPython = PYTHON_MISSING_MODULE.exec(result.output);
  if (missingPython) {
    const install = facts.pythonSetup
      ? `run \`${facts.pythonSetup}\` in ${facts.repoRoot}`
      : 'install the Python dependencies';
    return {
      kind: 'cannot-run',
      cause: `no Python module ${missingPython[1] ?? ''}: dependencies not installed`,
      fix: `${install}, ${skip}`,
    };
  }
  if (result.exitCode === 127 || result.exitCode === 126) {
    const tool = SHELL_NOT_FOUND.exec(result.output)?.[1];
    const cause = tool
      ? `command not found: ${tool}`
      : `the shell could not run a command (exit ${result.exitCode})`;
    // A script's tool usually comes from the dependencies: with none installed, that is the fix.
    if (viaPackageRunner && facts.nodeModulesMissing)
      return {
        kind: 'cannot-run',
        cause: `${cause}; the dependencies are not installed (no node_modules)`,
        fix: `${setup}, ${skip}`,
      };
    const fix = viaPackageRunner
      ? `install ${tool ?? 'the missing tool'} (e.g. as a devDependency, then ${setup})`
      : `install ${tool ?? 'the missing tool'}`;
    return { kind: 'cannot-run', cause, fix: `${fix}, ${skip}` };
  }
  return {
    kind: 'failed',
    fix: `fix it on the base branch first, set \`verifiers.baseline: allow_preexisting\` to let tasks run as long as they do not make it worse, ${skip}`,
  };
}
