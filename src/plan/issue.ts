import type { PlanIssue } from '../domain/index.js';
import type { PlanPath, SourceMap, Target } from './source-map.js';

/** What every check needs to report a positioned issue. */
export interface IssueContext {
  file: string;
  map: SourceMap;
}

/** Builds a `PlanIssue` positioned at the node `path` points to. */
export function issueAt(
  context: IssueContext,
  path: PlanPath,
  kind: string,
  message: string,
  hint?: string,
  target: Target = 'value',
): PlanIssue {
  const { line, column } = context.map.locate(path, target);
  return hint === undefined
    ? { file: context.file, line, column, kind, message }
    : { file: context.file, line, column, kind, message, hint };
}

/** Issues in reading order, so the first one printed is the first one in the file. */
export function sortIssues(issues: readonly PlanIssue[]): PlanIssue[] {
  return [...issues].sort((a, b) => a.line - b.line || a.column - b.column);
}
