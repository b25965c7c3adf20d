export { createDemoRepo } from './create-demo-repo.js';
export { demoPlan } from './demo-plan.js';
