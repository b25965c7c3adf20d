import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import { runMain } from '../support/cli.js';
import { modelPerTest, promptOf, repoWithCode, REQUIREMENTS, specDir, yaml } from './spec-support.js';

const planner = modelPerTest();

/** A hand-written spec plan whose second task fails, with a planner (the api backend) to replan it. */
const planWithPlanner = (url: string) => `agent: script
autonomy: full_auto
max_rework: 0
planner: { agent: api, model: planner-model }
agents:
  api: { provider: openai-compatible, base_url: "${url}/v1", model: planner-model }
tasks:
  - id: greet-name
    title: Greet by name
    covers: [AC-1.1]
    agent_config: { steps: [ { write: { path: a.txt, content: a } } ] }
  - id: refuse-empty
    title: Refuse an empty name
    depends_on: [greet-name]
    covers: [AC-1.2]
    agent_config: { steps: [ { fail: "the hard way does not work here" } ] }
`;

interface TraceJson {
  run: { id: string } | null;
  stories: { criteria: { id: string; tasks: { id: string; status?: string }[] }[] }[];
}

const AC_1_2 = 'AC-1.2: IF the name is empty THEN THE SYSTEM SHALL throw an error';

describe("replanning a spec's run", () => {
  it('gives a replacement task the criteria it covers, traces it under them, and sends back an unknown id', async () => {
    const model = await planner([
      // Round 1: a criterion the run does not know.
      yaml(`tasks:
  - id: refuse-blank
    title: Refuse a blank name
    depends_on: [greet-name]
    covers: [AC-9.9]
    allow_empty: true
    like: greet-name
`),
      yaml(`tasks:
  - id: refuse-blank
    title: Refuse a blank name
    depends_on: [greet-name]
    covers: [AC-1.2]
    allow_empty: true
    like: greet-name
`),
    ]);
    const repo = repoWithCode();
    const made = await runMain(['spec', 'new', 'greet', '--from', 'feature.md'], repo);
    expect(made.code).toBe(0);
    writeFileSync(join(specDir(repo), 'requirements.md'), REQUIREMENTS);
    writeFileSync(join(specDir(repo), 'plan.yaml'), planWithPlanner(model.url));
    expect((await runMain(['spec', 'approve', 'greet', 'tasks'], repo)).code).toBe(0);

    const ran = await runMain(['run', '--spec', 'greet'], repo);
    expect([ran.code, ran.stderr]).toEqual([0, '']);
    expect(model.exchanges).toHaveLength(2);
    // The planner is told which criteria the replaced task covers, with their text.
    expect(promptOf(model, 0)).toContain('this run is from spec \\"greet\\"');
    expect(promptOf(model, 0)).toContain(`- refuse-empty covers:\\n  - ${AC_1_2}`);
    expect(promptOf(model, 1)).toContain(
      'task \\"refuse-blank\\": covers \\"AC-9.9\\", which is no acceptance criterion of this run (known: AC-1.1, AC-1.2)',
    );

    const trace = JSON.parse((await runMain(['spec', 'trace', 'greet', '--json'], repo)).stdout) as TraceJson;
    const ac12 = trace.stories[0]!.criteria.find((c) => c.id === 'AC-1.2');
    expect(ac12?.tasks.map((t) => [t.id, t.status])).toEqual([
      ['refuse-empty', 'superseded'],
      ['refuse-blank', 'passed'],
    ]);
    const store = await openStore(join(repo, '.gaffer', 'gaffer.db'));
    try {
      const run = await store.getRun(trace.run!.id);
      const task = run?.plan.tasks.find((t) => t.id === 'refuse-blank');
      expect(task?.covers).toEqual(['AC-1.2']);
      expect(task?.acceptance_criteria.filter((c) => c === AC_1_2)).toHaveLength(1);
    } finally {
      await store.close();
    }
  }, 120_000);
});
