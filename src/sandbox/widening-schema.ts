import { z } from 'zod';

const nonEmpty = z.string().min(1);

/**
 * A `sandbox:` block that widens the default policy: the plan's, a task's, or an agent's
 * (`agents.<name>.sandbox`, a task's `agent_config.sandbox`). Paths are checked when the run
 * is created (absolute or `~/…`, existing, never `/` or the whole home).
 */
export const sandboxWideningSchema = z.strictObject({
  writable: z.array(nonEmpty).optional(),
  readable: z.array(nonEmpty).optional(),
  network: z.array(nonEmpty).optional(),
});
