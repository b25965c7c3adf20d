/** 1234567 → "1.23M", 4321 → "4.3k". */
export function formatTokens(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(2)}M`;
  if (n >= 1_000) return `${(n / 1_000).toFixed(1)}k`;
  return String(n);
}

/** Dollars with cents, or to the tenth of a cent below a dime (agents cost little per call). */
export function formatCost(usd: number): string {
  return usd >= 0.1 || usd === 0 ? `$${usd.toFixed(2)}` : `$${usd.toFixed(3)}`;
}

/** 3725 s → "1h 02m 05s". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h > 0) return `${h}h ${pad(m)}m ${pad(sec)}s`;
  if (m > 0) return `${m}m ${pad(sec)}s`;
  return `${sec}s`;
}

/** A budget figure in its own unit. */
export function formatLimit(limit: string, value: number): string {
  switch (limit) {
    case 'cost_usd':
      return formatCost(value);
    case 'tokens':
      return formatTokens(value);
    case 'wall_time_s':
      return formatDuration(value * 1000);
    default:
      return String(value);
  }
}

/** The first line of a text, cut to `max` characters. */
export function firstLine(text: string, max = 140): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
