import type { z } from 'zod';

/** `['attempts', 1, 0, 'write', 'path']` → `attempts[1][0].write.path`. */
export function formatConfigPath(parts: readonly PropertyKey[]): string {
  return parts
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}

/** The first problem zod found in an agent's config, as `path.to.key: message`. */
export function configErrorMessage(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = formatConfigPath(issue?.path ?? []);
  return `${where === '' ? '' : `${where}: `}${issue?.message ?? 'invalid'}`;
}
