import { z } from '@hono/zod-openapi';
import { BUDGET_LIMITS, TASK_ID_PATTERN } from '../domain/index.js';

// The zod schemas that validate requests; the OpenAPI document is generated from the same ones.

/** A run id: its slug (lower-case letters, digits, dashes), kept lenient for ids made by other versions. */
export const RunId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/, 'a run id is letters, digits and dashes')
  .openapi({ example: 'add-login' });

/** The ids that start with their run's: `<run>.<task>.<n>` (attempt), `….eval…` (approval), `….q<k>` (question). */
const compoundId = (example: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$/, 'an id is letters, digits, dots and dashes')
    .openapi({ example });

export const RunParams = z.object({ runId: RunId.openapi({ param: { name: 'runId', in: 'path' } }) });
export const AttemptParams = z.object({
  attemptId: compoundId('add-login.api.1').openapi({ param: { name: 'attemptId', in: 'path' } }),
});
export const ApprovalParams = z.object({
  approvalId: compoundId('add-login.api.1.eval').openapi({ param: { name: 'approvalId', in: 'path' } }),
});
export const QuestionParams = z.object({
  questionId: compoundId('add-login.api.1.q1').openapi({ param: { name: 'questionId', in: 'path' } }),
});

export const TaskId = z.string().regex(TASK_ID_PATTERN, 'not a task id');
export const AttemptsQuery = z.object({ task: TaskId.optional() });

/** Event ids are the store's monotonic ids: whole numbers from 0. */
const EventCursor = z
  .string()
  .regex(/^\d{1,15}$/, 'an event id is a whole number')
  .transform(Number);
export const EventsQuery = z.object({
  run: RunId,
  after: EventCursor.optional().openapi({ description: 'resume strictly after this event id' }),
  token: z.string().optional().openapi({ description: 'the token, for an EventSource (no headers)' }),
});
/** Lines of a transcript sent at most per request: a client pages through a long one with `from`. */
export const TRANSCRIPT_PAGE = 2000;
const LineIndex = z
  .string()
  .regex(/^\d{1,9}$/, 'a line index is a whole number')
  .transform(Number);
export const TranscriptQuery = z.object({
  from: LineIndex.optional().openapi({ description: 'the index of the first line wanted (default 0)' }),
  limit: LineIndex.optional().openapi({ description: `lines at most (default and cap ${TRANSCRIPT_PAGE})` }),
});
export const EventsHeaders = z.object({
  'last-event-id': EventCursor.optional().openapi({ description: 'set by a reconnecting EventSource' }),
});

export const StartRunBody = z
  .strictObject({
    plan: z.string().min(1).openapi({ description: 'the plan file, relative to the served repository' }),
    agent: z.string().min(1).optional(),
    concurrency: z.number().int().positive().optional(),
    keepGoing: z.boolean().optional(),
    schedule: z.enum(['critical-path', 'waves']).optional(),
  })
  .openapi('StartRun');

export const StopBody = z.strictObject({ reason: z.string().min(1).optional() }).openapi('Stop');
export const DenyBody = z
  .strictObject({ reason: z.string().trim().min(1, 'a denial needs a reason: the agent is told it') })
  .openapi('Deny');
export const AnswerBody = z
  .strictObject({ answer: z.string().optional(), accept: z.boolean().optional() })
  .openapi('Answer');

const Limits = z.strictObject(
  Object.fromEntries(BUDGET_LIMITS.map((limit) => [limit, z.number().positive().optional()])) as Record<
    (typeof BUDGET_LIMITS)[number],
    z.ZodOptional<z.ZodNumber>
  >,
);
const RaiseFields = z.strictObject({
  limits: Limits.optional().openapi({ description: "the run's limits" }),
  tasks: z.record(TaskId, Limits).optional().openapi({ description: "tasks' own limits, by task id" }),
});

/** How many limits a raise body names. */
const countRaises = (body: z.infer<typeof RaiseFields>) =>
  Object.keys(body.limits ?? {}).length +
  Object.values(body.tasks ?? {}).reduce((n, limits) => n + Object.keys(limits).length, 0);

export const RaiseBody = RaiseFields.refine(
  (body) => countRaises(body) > 0,
  'name at least one limit to raise',
).openapi('Raise');

export const ErrorSchema = z
  .object({
    error: z.object({ code: z.string(), message: z.string(), hint: z.string().optional() }),
  })
  .openapi('Error');

/** Response bodies are the engine's own types (RunView, AttemptView…), documented by name. */
export const Json = (name: string) => z.unknown().openapi({ description: name });
