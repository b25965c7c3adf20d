import type { Node, NodeProps } from '@xyflow/react';
import { Handle, Position } from '@xyflow/react';
import type { TaskStatus } from '../api/types';
import { TASK_STATUS_LABEL, statusClass } from './task-status';

export type TaskNodeData = {
  taskId: string;
  title: string;
  status: TaskStatus;
  selected: boolean;
  onOpen: (taskId: string) => void;
};

export type TaskNodeType = Node<TaskNodeData, 'task'>;

/**
 * One task of the graph: a real button (focusable, Enter and Space open it) that says its status
 * in words with a glyph; the colour only repeats it.
 */
export function TaskNode({ data }: NodeProps<TaskNodeType>) {
  const label = TASK_STATUS_LABEL[data.status];
  return (
    <div
      className={`task-node ${statusClass(data.status)}`}
      data-task-id={data.taskId}
      data-status={data.status}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <button
        type="button"
        className="task-node-button"
        aria-pressed={data.selected}
        aria-label={`Task ${data.title}: ${label.text}`}
        onClick={() => data.onOpen(data.taskId)}
      >
        <span className="task-node-title">{data.title}</span>
        <span className="task-node-status">
          <span aria-hidden="true">{label.glyph}</span> {label.text}
        </span>
      </button>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}
