import dagre from '@dagrejs/dagre';

export const NODE_WIDTH = 210;
export const NODE_HEIGHT = 62;

export interface GraphTask {
  id: string;
  dependsOn: readonly string[];
}

/**
 * Top-left positions of each task in dagre's layered layout, left to right: a task sits one
 * layer after the last of its dependencies, so the plan's order reads across the screen (which a
 * laptop has more of than height). Dependencies on tasks not in the list are left out.
 */
export function layoutTasks(tasks: readonly GraphTask[]): Map<string, { x: number; y: number }> {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: 'LR', nodesep: 24, ranksep: 70, marginx: 10, marginy: 10 });
  graph.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(tasks.map((t) => t.id));
  for (const task of tasks) graph.setNode(task.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const task of tasks)
    for (const dependency of task.dependsOn) if (ids.has(dependency)) graph.setEdge(dependency, task.id);
  dagre.layout(graph);
  const positions = new Map<string, { x: number; y: number }>();
  for (const task of tasks) {
    const node = graph.node(task.id) as { x: number; y: number };
    // dagre gives centres; React Flow places nodes by their top-left corner.
    positions.set(task.id, { x: node.x - NODE_WIDTH / 2, y: node.y - NODE_HEIGHT / 2 });
  }
  return positions;
}
