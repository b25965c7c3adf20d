import type { z } from 'zod';

const FENCE = /```[a-zA-Z]*[ \t]*\r?\n([\s\S]*?)```/g;

/**
 * The JSON object an LLM's reply ends with: the last fenced block that parses to an object, else
 * the span from the first `{` to the last `}`; undefined when there is none. Shared by every
 * reply Gaffer reads (the reviewer's, the foreman's).
 */
export function findJsonBlock(text: string): unknown {
  const blocks = [...text.matchAll(FENCE)].map((match) => match[1] ?? '').reverse();
  for (const block of blocks) {
    const value = tryJson(block);
    if (value !== undefined) return value;
  }
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  return start === -1 || end <= start ? undefined : tryJson(text.slice(start, end + 1));
}

function tryJson(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The first few schema problems of a block, in one line, to tell the model what to fix. */
export function describeBlockIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || 'the block'}: ${issue.message}`)
    .join('; ');
}
