import { join } from 'node:path';
import { stringify } from 'yaml';
import type { AgentRegistry } from '../../agents/index.js';
import type { RunRecord } from '../../domain/index.js';
import { InvariantError, PlanValidationError } from '../../domain/index.js';
import type { Repo } from '../../git/index.js';
import { validatePlan } from '../../plan/index.js';
import type { SpecConfig, SpecHandle } from '../../spec/index.js';
import type { Store } from '../../store/index.js';
import type { ReviewerAnswer } from '../../verify/index.js';
import { silentLogger } from '../logger.js';
import type { RunContext } from '../run-context.js';
import { runScratchSession, sessionTask } from '../scratch-session.js';

/** Where one phase's answer comes from: a backend, its settings, and the repository it is about. */
export interface SpecAsker {
  agent: string;
  model: string | null;
  ask(prompt: string, label: string, signal: AbortSignal): Promise<ReviewerAnswer>;
}

/**
 * A session is stopped once its answer passes this many times `max_output_chars`: such an answer
 * is refused for its length anyway, and holding (and writing) all of a runaway reply is what the
 * limit is there to prevent. Twice leaves room to show the model its reply cut at the limit.
 */
export const ANSWER_CAP_FACTOR = 2;

/** The parts of spec.yaml's `plan:` that shape the answering session too: the same person's sandbox and prices. */
const SESSION_KEYS = ['sandbox', 'pricing', 'protected_paths'] as const;

/**
 * An asker that runs each prompt through {@link runScratchSession}: the agent sandbox, an empty
 * scratch folder under the spec (removed after), failures returned as answers, an answer past
 * {@link ANSWER_CAP_FACTOR} × `max_output_chars` stopped and returned `cut`. A spec belongs to
 * no run, so the session runs under a run record of its own making (`spec-<id>`) that carries the
 * spec's backend settings; it touches no store (a session that reached for one is a bug).
 */
export function specAsker(
  spec: SpecHandle,
  config: SpecConfig,
  deps: { repo: Repo; agents: AgentRegistry; env: Record<string, string | undefined> },
): SpecAsker {
  const agent = config.agent;
  deps.agents.get(agent); // an unknown backend is refused before anything runs
  const run = sessionRun(spec, config, deps.repo.root);
  const backend = { ...(config.agents[agent] ?? {}) };
  const pricing = run.plan.settings.pricing;
  const agentConfig =
    backend.pricing === undefined && Object.keys(pricing).length > 0 ? { ...backend, pricing } : backend;
  const ctx: RunContext = {
    store: NO_STORE,
    repo: deps.repo,
    run,
    agents: deps.agents,
    env: deps.env,
    instructions: '',
    logger: silentLogger,
  };
  let sessions = 0;
  return {
    agent,
    model: typeof agentConfig.model === 'string' ? agentConfig.model : null,
    ask: (prompt, label, signal) => {
      sessions += 1;
      return runScratchSession(
        ctx,
        {
          agent,
          config: agentConfig,
          scratch: join(spec.paths.scratch, `${label}.${process.pid}.${sessions}`),
          stateKey: `spec-${label}`,
          task: sessionTask(`spec-${spec.id}`, `spec ${spec.id}: ${label}`),
          attemptId: `spec-${spec.id}.${label}.${sessions}`,
          attemptNumber: sessions,
          prompt,
          maxAnswerChars: ANSWER_CAP_FACTOR * config.max_output_chars,
        },
        signal,
      );
    },
  };
}

function sessionRun(spec: SpecHandle, config: SpecConfig, root: string): RunRecord {
  const picked = Object.fromEntries(
    SESSION_KEYS.filter((k) => k in config.plan).map((k) => [k, config.plan[k]]),
  );
  const document = stringify(
    {
      ...picked,
      agent: config.agent,
      agents: config.agents,
      tasks: [{ id: `spec-${spec.id}`, title: 'spec' }],
    },
    { lineWidth: 0 },
  );
  const checked = validatePlan(document, { file: spec.paths.config });
  if (!checked.ok) throw new PlanValidationError(checked.issues);
  const now = new Date().toISOString();
  return {
    id: `spec-${spec.id}`,
    slug: `spec-${spec.id}`,
    status: 'running',
    reason: null,
    repoPath: root,
    planPath: spec.paths.config,
    plan: checked.plan,
    options: { concurrency: 1, keepGoing: false, schedule: 'critical-path' },
    baseBranch: '',
    baseCommit: '',
    integrationBranch: '',
    createdAt: now,
    updatedAt: now,
    finishedAt: null,
  };
}

/** A spec session has no store: every use of it is a bug, said as one. */
const NO_STORE = new Proxy({} as Store, {
  get(_target, key) {
    throw new InvariantError(`a spec phase session used the store (${String(key)}); it has none`);
  },
});
