import type { z } from 'zod';

/** The first problem zod found in an agent's config, as `path.to.key: message`. */
export function configErrorMessage(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = (issue?.path ?? []).map(String).join('.');
  return `${where === '' ? '' : `${where}: `}${issue?.message ?? 'invalid'}`;
}
