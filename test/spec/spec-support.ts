import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { startChatServer } from '../fixtures/model-servers/openai-chat-server.js';
import type { ChatRequestInfo, ChatServer, ChatTurn } from '../fixtures/model-servers/openai-chat-server.js';
import { runMain } from '../support/cli.js';
import { makeRepo } from '../support/repo.js';

/** A repository with some code, so the design and tasks prompts have a map to show. */
export const repoWithCode = () =>
  makeRepo({
    'package.json': '{ "name": "greeter", "type": "module" }\n',
    'src/greet.ts':
      'export function greet(name: string) {\n  return `hi ${name}`;\n}\nexport const DEFAULT_NAME = "world";\n',
    'feature.md': '# Greeting\nThe greeter says hello, and refuses an empty name.\n',
  });

export const specDir = (repo: string, id = 'greet') => join(repo, '.gaffer', 'specs', id);

/** `gaffer spec new` from feature.md, then a spec.yaml pointing the api backend at `baseURL`. */
export async function newSpec(repo: string, baseURL: string, extra = '', id = 'greet') {
  const made = await runMain(['spec', 'new', id, '--from', 'feature.md'], repo);
  if (made.code !== 0) throw new Error(made.stderr);
  writeFileSync(
    join(specDir(repo, id), 'spec.yaml'),
    `agent: api
agents:
  api: { provider: openai-compatible, base_url: "${baseURL}", model: spec-model }
correction_rounds: 2
plan: { agent: script }
${extra}`,
  );
}

export const REQUIREMENTS = `# Requirements: Greeting

## US-1: Greet by name
As a user, I want a greeting, so that I feel welcome.

- AC-1.1: WHEN greet is called with a name THE SYSTEM SHALL return "hello <name>"
- AC-1.2: IF the name is empty THEN THE SYSTEM SHALL throw an error
`;

export const DESIGN = `# Design: Greeting
## Architecture
Change src/greet.ts (AC-1.1, AC-1.2).
## Risks
None.
`;

export const md = (text: string) => `Here it is.\n\`\`\`markdown\n${text}\`\`\`\n`;
export const yaml = (text: string) => `The plan:\n\`\`\`yaml\n${text}\`\`\`\n`;

export const PLAN = `name: greet
tasks:
  - id: greet-name
    title: Greet by name
    deliverables: [src/greet.ts]
    covers: [AC-1.1]
  - id: refuse-empty
    title: Refuse an empty name
    depends_on: [greet-name]
    deliverables: [src/greet.ts]
    covers: [AC-1.2]
`;

export const PLAN_WITH_GAP = `name: greet
tasks:
  - id: greet-name
    title: Greet by name
    covers: [AC-1.1]
`;

/** The receipts of a spec, by file name, parsed. */
export function receipts(repo: string, id = 'greet'): Record<string, Record<string, unknown>> {
  const dir = join(specDir(repo, id), 'receipts');
  return Object.fromEntries(
    readdirSync(dir).map((name) => [
      name,
      JSON.parse(readFileSync(join(dir, name), 'utf8')) as Record<string, unknown>,
    ]),
  );
}

/**
 * A scripted model server for each test of the file, closed after it. Given texts, the model
 * answers with them in order, one per request; given a function, it answers what that returns.
 */
export function modelPerTest(): (
  script: readonly string[] | ((request: ChatRequestInfo) => ChatTurn),
) => Promise<ChatServer> {
  let server: ChatServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  return async (script) => {
    let next = 0;
    server = await startChatServer(
      typeof script === 'function' ? script : () => ({ text: script[next++] ?? 'no more replies scripted' }),
    );
    return server;
  };
}

/** The messages of the model's `i`-th request, as JSON text to search. */
export const promptOf = (s: ChatServer, i: number) => JSON.stringify(s.exchanges[i]?.body.messages);

/** A --quick answer: the requirements block, then the plan block. */
export const both = (requirements: string, plan: string) => `${md(requirements)}\n${yaml(plan)}`;
