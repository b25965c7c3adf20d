import { z } from 'zod';
import type { CriterionJudgement, Critique } from '../../domain/index.js';
import { describeBlockIssues, findJsonBlock } from './json-block.js';

/** What a readable reviewer reply says, with a judgement for every criterion of the task. */
export interface ReviewReply {
  criteria: CriterionJudgement[];
  critiques: Critique[];
  summary: string;
}

export type ParseReplyResult = { success: true; value: ReviewReply } | { success: false; error: string };

/** `Not Met`, `not-met` and `NOT_MET` are one word to us: models vary their spelling. */
const word = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.preprocess(
    (value) =>
      typeof value === 'string'
        ? value
            .trim()
            .toLowerCase()
            .replace(/[\s-]+/g, '_')
        : value,
    z.enum(values),
  );

const replySchema = z.object({
  criteria: z
    .array(
      z.object({
        id: z.coerce.number().int().min(1),
        verdict: word(['met', 'not_met', 'cannot_tell']),
        evidence: z.string().default(''),
      }),
    )
    .default([]),
  critiques: z
    .array(z.object({ severity: word(['critical', 'major', 'minor']), text: z.string().min(1) }))
    .default([]),
  summary: z.string().default(''),
});

/**
 * Reads the reviewer's JSON block, leniently: the last fenced block anywhere in the reply that
 * parses (```json or a bare fence), else the outermost `{…}` of the text. Criteria are matched
 * to the task's by their 1-based `id`; one the reply leaves out is `cannot_tell`, never met. A
 * reply that judges none of a task's criteria is not an answer: the caller asks again.
 */
export function parseReviewReply(text: string, criteria: readonly string[]): ParseReplyResult {
  const json = findJsonBlock(text);
  if (json === undefined)
    return { success: false, error: 'the reply has no JSON block (```json { "criteria": … } ```)' };
  const parsed = replySchema.safeParse(json);
  if (!parsed.success)
    return { success: false, error: `the JSON block does not fit: ${describeBlockIssues(parsed.error)}` };
  const byId = new Map(parsed.data.criteria.map((c) => [c.id, c]));
  if (criteria.length > 0 && ![...byId.keys()].some((id) => id <= criteria.length))
    return {
      success: false,
      error: `the JSON block judges none of the ${criteria.length} criteria (ids 1–${criteria.length})`,
    };
  return {
    success: true,
    value: {
      criteria: criteria.map((criterion, index) => {
        const judged = byId.get(index + 1);
        return judged
          ? { criterion, verdict: judged.verdict, evidence: judged.evidence }
          : { criterion, verdict: 'cannot_tell', evidence: 'the reviewer did not judge it' };
      }),
      critiques: parsed.data.critiques,
      summary: parsed.data.summary,
    },
  };
}
