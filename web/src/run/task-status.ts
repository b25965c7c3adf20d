import type { TaskStatus } from '../api/types';

/**
 * How each status reads: a word and a glyph, never the colour alone (the CSS class adds the
 * colour for those who see it).
 */
export const TASK_STATUS_LABEL: Record<TaskStatus, { text: string; glyph: string }> = {
  pending: { text: 'pending', glyph: '○' },
  ready: { text: 'ready', glyph: '◔' },
  running: { text: 'running', glyph: '▶' },
  evaluating: { text: 'evaluating', glyph: '⚙' },
  awaiting_approval: { text: 'awaiting approval', glyph: '⏸' },
  rework: { text: 'rework', glyph: '↻' },
  passed: { text: 'passed', glyph: '✓' },
  blocked: { text: 'blocked', glyph: '✕' },
  skipped: { text: 'skipped', glyph: '–' },
  cancelled: { text: 'cancelled', glyph: '⊘' },
  superseded: { text: 'superseded', glyph: '⤳' },
};

/** The CSS class of a status: `status-awaiting-approval`. */
export const statusClass = (status: string) => `status-${status.replace(/_/g, '-')}`;
