export type { Store, StoreTx, RunPatch, TaskPatch, AttemptPatch, EventQuery } from './store.js';
export type { OpenStoreOptions } from './open-store.js';
export { openStore, resolveStoreUrl } from './open-store.js';
