import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GafferError, PlanValidationError } from '../domain/index.js';
import { formatPlanIssue, loadPlan, topologicalOrder } from './index.js';

const fixtures = fileURLToPath(new URL('../../test/fixtures/plans/', import.meta.url));
const fixture = (name: string) => path.join(fixtures, name);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('loadPlan', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gaffer-plan-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the diamond fixture', async () => {
    const plan = await loadPlan(fixture('diamond.yaml'), { repoRoot: dir });
    expect(plan.name).toBe('add-greeting');
    expect(plan.settings).toMatchObject({ base_branch: 'main', concurrency: 2, agent: 'script' });
    expect(plan.tasks.map((task) => task.id)).toEqual(['setup', 'cli', 'tests', 'docs']);
    expect(topologicalOrder(plan)).toEqual(['setup', 'cli', 'tests', 'docs']);
  });

  it('loads only the bytes it was told to expect, by their sha256', async () => {
    const file = path.join(dir, 'plan.yaml');
    const text = 'tasks:\n  - id: a\n    title: A\n';
    await writeFile(file, text);
    const sha = createHash('sha256').update(text).digest('hex');
    expect((await loadPlan(file, { expectSha256: sha })).tasks.map((t) => t.id)).toEqual(['a']);
    await writeFile(file, text.replace('A', 'Changed'));
    const error = await rejection(loadPlan(file, { expectSha256: sha }));
    expect(error).toBeInstanceOf(GafferError);
    expect((error as GafferError).message).toContain('changed since it was checked');
    expect((error as GafferError).userError).toBe(true);
  });

  it('throws GAFFER_PLAN_NOT_FOUND as a user error for a missing file', async () => {
    const missing = path.join(dir, 'nope.yaml');
    const error = await rejection(loadPlan(missing));
    expect(GafferError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'GAFFER_PLAN_NOT_FOUND',
      userError: true,
      message: `plan file not found: ${missing}`,
      hint: 'check the path, or run `gaffer demo` to write an example plan',
    });
  });

  it('throws GAFFER_PLAN_NOT_FOUND for a directory', async () => {
    expect(await rejection(loadPlan(dir))).toMatchObject({ code: 'GAFFER_PLAN_NOT_FOUND', userError: true });
  });

  it('names the plan after its file when it has no name', async () => {
    const file = path.join(dir, 'ship-it.yml');
    await writeFile(file, 'tasks: [{ id: a, title: A }]\n');
    expect((await loadPlan(file)).name).toBe('ship-it');
  });

  it('throws PlanValidationError with the cycle for the cycle fixture', async () => {
    const file = fixture('cycle.yaml');
    const error = await rejection(loadPlan(file));
    expect(error).toBeInstanceOf(PlanValidationError);
    const issues = (error as PlanValidationError).issues;
    expect(issues.map(formatPlanIssue)).toEqual([
      `${file}:6:18: dependency cycle: parse → report → validate → parse\n  hint: remove one of these depends_on entries so the tasks form a DAG`,
    ]);
    expect(error).toMatchObject({ code: 'GAFFER_PLAN_INVALID', userError: true });
  });

  it('collects every issue of the broken fixture in file order', async () => {
    const file = fixture('broken.yaml');
    const error = await rejection(loadPlan(file, { repoRoot: dir }));
    expect(error).toBeInstanceOf(PlanValidationError);
    const issues = (error as PlanValidationError).issues;
    expect(issues.map((issue) => `${issue.line}:${issue.column} ${issue.kind}`)).toEqual([
      '2:1 unknown-key',
      '7:20 deliverable-protected',
      '10:18 unknown-dependency',
      '11:9 duplicate-id',
      '13:5 schema',
      '13:9 schema',
      '15:20 deliverable-outside',
    ]);
    expect(issues.map((issue) => issue.message)).toEqual([
      'unknown key `concurency`',
      'task "setup": deliverable "secrets/token.txt" is a protected path (matches "secrets/**")',
      'task "build" depends on unknown task "setpu"',
      'duplicate task id "setup" (first defined on line 5)',
      'task "bad id" is missing `title`',
      'task id "bad id" is not valid',
      `task "bad id": deliverable "../outside.txt" leaves the repository ${dir}`,
    ]);
    expect((error as PlanValidationError).message).toBe(
      `${file}:2:1: unknown key \`concurency\` (and 6 more)`,
    );
  });
});

describe('loadPlan on a file that is not a text plan', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gaffer-plan-bin-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('says "not a text file" for a PNG renamed plan.yaml', async () => {
    const file = path.join(dir, 'plan.yaml');
    // The first 33 bytes of any PNG: signature and header chunk of a 1×1 image.
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
    await writeFile(file, png);
    const error = await rejection(loadPlan(file));
    expect(error).toBeInstanceOf(PlanValidationError);
    expect(error).toMatchObject({
      code: 'GAFFER_PLAN_INVALID',
      userError: true,
      message: `${file}:1:1: ${file} is not a text file (it looks like a PNG image)`,
      hint: 'pass the YAML plan itself (e.g. plan.yaml); `gaffer demo` writes an example',
    });
    expect((error as PlanValidationError).issues).toHaveLength(1);
  });

  it('points at the first byte that is not UTF-8 in a plan saved in another encoding', async () => {
    const file = path.join(dir, 'plan.yaml');
    await writeFile(file, Buffer.from('tasks:\n  - id: caf\xe9\n    title: Coffee\n', 'latin1'));
    const error = await rejection(loadPlan(file));
    expect((error as PlanValidationError).issues).toEqual([
      {
        file,
        line: 2,
        column: 12,
        kind: 'not-text',
        message: `${file} is not UTF-8 text (byte 0xe9 at line 2, column 12)`,
        hint: 'save the plan as UTF-8',
      },
    ]);
  });
});
