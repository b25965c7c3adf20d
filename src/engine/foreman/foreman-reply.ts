import { z } from 'zod';
import { describeBlockIssues, findJsonBlock } from '../../verify/index.js';

/** What a readable foreman reply says. */
export interface ForemanReply {
  answer: string;
  /** In [0, 1]. */
  confidence: number;
  why: string;
}

export type ParseForemanReplyResult =
  { success: true; value: ForemanReply } | { success: false; error: string };

/**
 * Models write a confidence as 0.8, "0.8", 80 or "80%": all are 0.8 to us. Anything else
 * (a word, a negative, over 100) is not a confidence, and the reply is asked for again.
 */
const confidence = z.preprocess((value) => {
  const text = typeof value === 'string' ? value.trim() : value;
  const percent = typeof text === 'string' && text.endsWith('%');
  const number = typeof text === 'string' ? Number(percent ? text.slice(0, -1) : text) : text;
  if (typeof number !== 'number' || Number.isNaN(number)) return value;
  return percent || (number > 1 && number <= 100) ? number / 100 : number;
}, z.number().min(0).max(1));

const replySchema = z.object({
  answer: z.string().trim().min(1),
  confidence,
  why: z.string().default(''),
});

/**
 * Reads the foreman's JSON block, leniently: the last fenced block anywhere in the reply that
 * parses (```json or a bare fence), else the outermost `{…}` of the text. A reply without an
 * answer or a confidence is not an answer: the caller asks again, then escalates.
 */
export function parseForemanReply(text: string): ParseForemanReplyResult {
  const json = findJsonBlock(text);
  if (json === undefined)
    return { success: false, error: 'the reply has no JSON block (```json { "answer": … } ```)' };
  const parsed = replySchema.safeParse(json);
  if (!parsed.success)
    return { success: false, error: `the JSON block does not fit: ${describeBlockIssues(parsed.error)}` };
  return { success: true, value: parsed.data };
}
