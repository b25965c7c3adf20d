import { terminalSafe } from './terminal-safe.js';

/** The CLI's only door to the terminal, so tests can capture what a user would see. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  readonly isTTY: boolean;
  readonly color: boolean;
  readonly columns: number;
}

/** The terminal: everything written passes {@link terminalSafe}, so no agent's text steers it. */
export function processOutput(): Output {
  const isTTY = Boolean(process.stdout.isTTY);
  return {
    out: (text) => void process.stdout.write(terminalSafe(text)),
    err: (text) => void process.stderr.write(terminalSafe(text)),
    isTTY,
    color: isTTY && !process.env.NO_COLOR,
    columns: process.stdout.columns ?? 100,
  };
}

const CODES = {
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
  gray: 90,
  bold: 1,
  dim: 2,
} as const;
export type Color = keyof typeof CODES;

export function paint(output: Output, color: Color, text: string): string {
  return output.color ? `\u001b[${CODES[color]}m${text}\u001b[0m` : text;
}
