export { KNOWLEDGE_INSTRUCTION, parseKnowledgeBlock } from './report-block.js';
export type { ReportedKnowledge } from './report-block.js';
export { ensureKnowledge, readKnowledge } from './task-knowledge.js';
export type { KnowledgeEntry } from './task-knowledge.js';
export { KNOWLEDGE_BUDGET_CHARS, renderKnowledge } from './render-knowledge.js';
