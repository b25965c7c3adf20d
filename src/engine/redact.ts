// Patterns for secrets that commonly leak into agent transcripts. Each keeps a short, stable
// prefix so a reader can still tell what kind of secret was there.
const PATTERNS: readonly RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /\b(sk-(?:ant-|proj-)?)[A-Za-z0-9_-]{16,}/g,
  /\b(gh[pousr]_)[A-Za-z0-9]{20,}/g,
  /\b(github_pat_)[A-Za-z0-9_]{20,}/g,
  /\b(AKIA)[A-Z0-9]{16}\b/g,
  /\b(xox[abprs]-)[A-Za-z0-9-]{10,}/g,
  /\b(AIza)[A-Za-z0-9_-]{30,}/g,
  /((?:api[_-]?key|token|secret|password|authorization)["']?\s*[:=]\s*["']?(?:Bearer\s+)?)[^\s"'\\,]{8,}/gi,
];

/**
 * Replaces secrets in `text` with `[REDACTED]`, keeping the recognisable prefix: by pattern, and
 * by value for `known` secrets (the keys an agent was handed, whatever their shape).
 */
export function redactSecrets(text: string, known: readonly string[] = []): string {
  let out = text;
  // Long values only: a short one ("1", "true") would blank ordinary text.
  for (const secret of known) if (secret.length >= 8) out = out.split(secret).join('[REDACTED]');
  for (const pattern of PATTERNS) {
    out = out.replace(pattern, (_match: string, prefix?: string) =>
      typeof prefix === 'string' ? `${prefix}[REDACTED]` : '[REDACTED]',
    );
  }
  return out;
}

/** Redacts every string inside a JSON-like value (before it is serialised, so quoting cannot hide a secret). */
export function redactDeep<T>(value: T, known: readonly string[] = []): T {
  if (typeof value === 'string') return redactSecrets(value, known) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactDeep(item, known)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, redactDeep(item, known)]),
    ) as T;
  }
  return value;
}
