import type { Edge } from '@xyflow/react';
import { Controls, ReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMemo } from 'react';
import type { TaskStatus } from '../api/types';
import type { GraphTask } from './graph-layout';
import { NODE_HEIGHT, NODE_WIDTH, layoutTasks } from './graph-layout';
import type { TaskNodeType } from './task-node';
import { TaskNode } from './task-node';

export interface GraphNodeTask extends GraphTask {
  title: string;
  status: TaskStatus;
}

const NODE_TYPES = { task: TaskNode };

/**
 * The plan as a graph, laid out once per shape of the plan (a status change re-colours nodes, it
 * never moves them). Nodes are not dragged or connected: this is a view, and each node's button is
 * the one focusable thing in it.
 */
export function TaskGraph(props: {
  tasks: readonly GraphNodeTask[];
  selected: string | null;
  onOpen: (taskId: string) => void;
}) {
  const { tasks, selected, onOpen } = props;
  const shape = tasks.map((t) => `${t.id}<${t.dependsOn.join(',')}`).join(';');
  // Keyed on the shape alone: new statuses arrive many times a second, new tasks only on a replan.
  const positions = useMemo(() => layoutTasks(tasks), [shape]);
  const nodes = useMemo(
    (): TaskNodeType[] =>
      tasks.map((task) => ({
        id: task.id,
        type: 'task',
        position: positions.get(task.id) ?? { x: 0, y: 0 },
        // Fixed sizes: nodes are rebuilt on every status change, and React Flow hides a node it
        // has no size for until it is measured again (which an unchanged size never triggers).
        width: NODE_WIDTH,
        height: NODE_HEIGHT,
        data: {
          taskId: task.id,
          title: task.title,
          status: task.status,
          selected: task.id === selected,
          onOpen,
        },
      })),
    [tasks, positions, selected, onOpen],
  );
  const edges = useMemo((): Edge[] => {
    const ids = new Set(tasks.map((t) => t.id));
    return tasks.flatMap((task) =>
      task.dependsOn
        .filter((d) => ids.has(d))
        .map((d) => ({ id: `${d}->${task.id}`, source: d, target: task.id, focusable: false })),
    );
  }, [tasks]);
  return (
    <div className="task-graph" aria-label="Task graph" role="region" data-node-count={tasks.length}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        nodesDraggable={false}
        nodesConnectable={false}
        nodesFocusable={false}
        edgesFocusable={false}
        elementsSelectable={false}
        // With no handler React Flow makes nodes ignore the pointer, and the node's button with them.
        onNodeClick={(_, node) => onOpen(node.id)}
        fitView
        fitViewOptions={{ padding: 0.1, maxZoom: 1.2 }}
        minZoom={0.2}
        colorMode="system"
      >
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
