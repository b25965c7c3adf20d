export { ANSWERED_BY, isRealAnswer } from './answered-by.js';
export { askForeman } from './ask-foreman.js';
export type { AskForeman, ConsultOptions, ForemanDecision } from './consult-foreman.js';
export { consultForeman, decide } from './consult-foreman.js';
export type { FaqEntry, ForemanMaterial } from './foreman-prompt.js';
export {
  FAQ_BUDGET_CHARS,
  KNOWLEDGE_BUDGET_CHARS,
  QUESTION_BUDGET_CHARS,
  TASKS_BUDGET_CHARS,
  foremanPrompt,
  foremanRetryPrompt,
} from './foreman-prompt.js';
export type { ForemanReply, ParseForemanReplyResult } from './foreman-reply.js';
export { parseForemanReply } from './foreman-reply.js';
export type { ForemanSession } from './foreman-session.js';
export { foremanSession } from './foreman-session.js';
export { foremanConfig, foremanOf } from './foreman-settings.js';
export { runFaq } from './run-faq.js';
