/*
 * A forgiving view of the parsed YAML for the graph and path checks, which run even when the
 * schema check fails: a plan with a typo in one task should still learn about the cycle in
 * two others in the same pass. Anything of the wrong type is simply left out here; the schema
 * check reports it.
 */

/** A string found at index `index` of a list. */
export interface LooseItem {
  value: string;
  index: number;
}

export interface LooseTask {
  /** Position in `tasks`. */
  index: number;
  id?: string;
  dependsOn: LooseItem[];
  order?: number;
  deliverables: LooseItem[];
  contextFiles: LooseItem[];
}

export interface LoosePlan {
  tasks: LooseTask[];
  protectedPaths: string[];
}

/** Reads what can be read from the parsed YAML; never throws. */
export function readLoosePlan(raw: unknown): LoosePlan {
  const top = asRecord(raw);
  const tasks = Array.isArray(top?.tasks) ? (top.tasks as unknown[]) : [];
  return {
    tasks: tasks.map((entry, index) => readTask(entry, index)),
    protectedPaths: strings(top?.protected_paths).map((item) => item.value),
  };
}

function readTask(entry: unknown, index: number): LooseTask {
  const task = asRecord(entry);
  const result: LooseTask = {
    index,
    dependsOn: strings(task?.depends_on),
    deliverables: strings(task?.deliverables),
    contextFiles: strings(task?.context_files),
  };
  if (typeof task?.id === 'string') result.id = task.id;
  if (typeof task?.order === 'number' && Number.isInteger(task.order) && task.order >= 0)
    result.order = task.order;
  return result;
}

function strings(value: unknown): LooseItem[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown, index) => (typeof item === 'string' ? [{ value: item, index }] : []));
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
