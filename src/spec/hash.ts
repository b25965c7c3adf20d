import { createHash } from 'node:crypto';

/** The hex sha256 of a text (UTF-8) or bytes: what receipts record of every input and output. */
export const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/**
 * The sha256 of a JSON value with its keys sorted, so that the same settings hash the same
 * however spec.yaml orders or spaces them.
 */
export const sha256OfValue = (value: unknown) => sha256(stableJson(value));

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (typeof value === 'object' && value !== null)
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/** The names receipts give the inputs of a phase run that are not files of the spec. */
export const CONTEXT_INPUTS = {
  repoMap: 'repository map',
  planSettings: "spec.yaml's plan",
  feedback: 'feedback',
} as const;
