import { InvariantError } from '../../domain/index.js';
import type { RunContext } from '../run-context.js';

/** The integration branch's head; its absence mid-run is an invariant broken outside Gaffer. */
export async function integrationHead(ctx: RunContext): Promise<string> {
  const head = await ctx.repo.resolveCommit(`refs/heads/${ctx.run.integrationBranch}`);
  if (!head) throw new InvariantError(`integration branch ${ctx.run.integrationBranch} is missing`);
  return head;
}
