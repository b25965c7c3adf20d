/**
 * How much of the api agent's input is a stable, cacheable prefix: a 10-task run through the
 * `api` backend against the scripted OpenAI-compatible server, which simulates prefix caching
 * (cached tokens = longest prefix shared with any earlier request; tokens = characters ÷ 4).
 *
 *   npx tsx bench/tokens.ts
 *
 * Each task runs in its own git worktree of one small repository (AGENTS.md + ~20 files), one
 * session after the other through one adapter, as the engine would; the model writes one file
 * and finishes. Deterministic: the same numbers on every run.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createApiAgent } from '../src/agents/api/index.js';
import type { PlanTask, SessionInput } from '../src/domain/index.js';
import { ALWAYS_PROTECTED } from '../src/domain/index.js';
import { buildPrompt } from '../src/engine/prompt.js';
import { startChatServer } from '../test/fixtures/model-servers/openai-chat-server.js';
import type { ChatRequestInfo, ChatTurn } from '../test/fixtures/model-servers/openai-chat-server.js';
import { rowOf, tokenTable } from './lib/tokens-measure.js';
import type { TokenRow } from './lib/tokens-measure.js';
import { AGENTS_MD, SOURCE_FILES, createTokensRepo } from './lib/tokens-repo.js';

const TASKS = 10;
const TARGET = 0.7;
const FEATURES = [
  'backorders',
  'bundles',
  'expiry',
  'holds',
  'kits',
  'pricing',
  'quotas',
  'recalls',
  'returns',
  'transfers',
];

function taskOf(index: number): PlanTask {
  const feature = FEATURES[index % FEATURES.length] ?? 'feature';
  const file = `src/features/${feature}.ts`;
  return {
    id: `t${String(index + 1).padStart(2, '0')}`,
    title: `Add the ${feature} feature`,
    description: `Create ${file} exporting a function that decides whether ${feature} apply to an item, using the domain types.`,
    depends_on: [],
    deliverables: [file],
    acceptance_criteria: [`${file} exports a documented function`, 'npm test passes'],
    context_files: [
      SOURCE_FILES[index % SOURCE_FILES.length] ?? 'src/index.ts',
      SOURCE_FILES[(index + 7) % SOURCE_FILES.length] ?? 'src/index.ts',
    ],
  };
}

/** The scripted model: writes the task's deliverable, then says it is done. */
function script({ turn, body }: ChatRequestInfo): ChatTurn {
  const content = body.messages?.find((message) => message.role === 'user')?.content;
  const task = typeof content === 'string' ? content : '';
  const file = /Deliverables[^\n]*\n- (\S+)/.exec(task)?.[1] ?? 'src/features/unknown.ts';
  if (turn === 0) {
    const content = `/** Decides whether the feature applies. */\nexport function applies(quantity: number): boolean {\n  return quantity > 0;\n}\n`;
    return {
      text: `Creating ${file}.`,
      toolCalls: [{ name: 'write_file', arguments: { path: file, content } }],
    };
  }
  return { text: `Created ${file} with a documented applies() function.` };
}

const repo = await mkdtemp(path.join(os.tmpdir(), 'gaffer-bench-tokens-'));
const server = await startChatServer(script);
const rows: TokenRow[] = [];
try {
  await createTokensRepo(repo);
  const agent = createApiAgent();
  for (let index = 0; index < TASKS; index += 1) {
    const task = taskOf(index);
    const cwd = path.join(repo, '.gaffer', 'worktrees', task.id);
    execFileSync('git', ['worktree', 'add', '-q', '-b', `gaffer/bench/${task.id}`, cwd], {
      cwd: repo,
      stdio: 'ignore',
    });
    const protectedPaths = [...ALWAYS_PROTECTED];
    const input: SessionInput = {
      runId: 'bench-run',
      taskId: task.id,
      attemptId: `${task.id}-1`,
      attemptNumber: 1,
      kind: 'first',
      task,
      prompt: buildPrompt({ task, kind: 'first', attemptNumber: 1, instructions: AGENTS_MD, protectedPaths }),
      cwd,
      config: { base_url: server.baseURL, model: 'bench-model' },
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.homedir() },
      protectedPaths,
    };
    const before = server.exchanges.length;
    const session = agent.start(input, new AbortController().signal);
    for await (const _event of session.events) {
      // drained: only the requests the server saw are measured
    }
    const result = await session.result;
    if (result.status !== 'succeeded') throw new Error(`${task.id} ${result.status}: ${result.error ?? ''}`);
    await readFile(path.join(cwd, task.deliverables[0] ?? ''), 'utf8');
    rows.push(rowOf(task.id, server.exchanges.slice(before)));
  }
} finally {
  await server.close();
  await rm(repo, { recursive: true, force: true });
}

const total = rows.reduce(
  (sum, row) => ({
    input: sum.input + row.input,
    cached: sum.cached + row.cached,
    prefix: sum.prefix + row.prefix,
  }),
  {
    input: 0,
    cached: 0,
    prefix: 0,
  },
);
const prefixShare = total.prefix / total.input;
const lines = [
  `# Token benchmark — ${TASKS} tasks through the api agent, scripted OpenAI-compatible server`,
  '',
  'Input tokens as the server counts them (characters ÷ 4 of tool definitions + messages); cached = the',
  'longest prefix shared with any earlier request; stable prefix = tool definitions + system message,',
  'identical for every task of the run.',
  '',
  tokenTable(rows),
  '',
  `Stable prefix: ${(100 * prefixShare).toFixed(1)}% of all input tokens (target ≥ ${100 * TARGET}%: ${prefixShare >= TARGET ? 'met' : 'NOT met'}).`,
  `Served from the simulated cache: ${((100 * total.cached) / total.input).toFixed(1)}% of all input tokens.`,
];
process.stdout.write(`${lines.join('\n')}\n`);
