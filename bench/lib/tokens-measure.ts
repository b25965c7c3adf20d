import type { ChatExchange } from '../../test/fixtures/model-servers/openai-chat-server.js';

/** Token totals of a group of requests (one task's session). */
export interface TokenRow {
  label: string;
  requests: number;
  input: number;
  cached: number;
  /** Input tokens that lie inside the run's stable prefix (tool definitions + system message). */
  prefix: number;
}

/**
 * Tokens of a request inside the stable prefix, counted like the server counts its prompt
 * (characters ÷ 4 of the serialised tools, then the messages up to the end of the system one).
 */
export function stablePrefixTokens(exchange: ChatExchange): number {
  const [first] = exchange.body.messages ?? [];
  const system = first?.role === 'system' ? JSON.stringify(first).length + 1 : 0;
  return Math.floor((JSON.stringify(exchange.body.tools ?? []).length + system) / 4);
}

export function rowOf(label: string, exchanges: readonly ChatExchange[]): TokenRow {
  let input = 0;
  let cached = 0;
  let prefix = 0;
  for (const exchange of exchanges) {
    input += exchange.usage.prompt_tokens;
    cached += exchange.usage.prompt_tokens_details.cached_tokens;
    prefix += stablePrefixTokens(exchange);
  }
  return { label, requests: exchanges.length, input, cached, prefix };
}

const percent = (part: number, whole: number) =>
  whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)}%`;

/** The rows and their total as a Markdown table. */
export function tokenTable(rows: readonly TokenRow[]): string {
  const total = rows.reduce(
    (sum, row) => ({
      label: '**total**',
      requests: sum.requests + row.requests,
      input: sum.input + row.input,
      cached: sum.cached + row.cached,
      prefix: sum.prefix + row.prefix,
    }),
    { label: '**total**', requests: 0, input: 0, cached: 0, prefix: 0 },
  );
  const line = (row: TokenRow) =>
    `| ${row.label} | ${row.requests} | ${row.input} | ${row.cached} | ${percent(row.cached, row.input)} | ${percent(row.prefix, row.input)} |`;
  return [
    '| task | requests | input tokens | cached input tokens | cached share | stable-prefix share |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map(line),
    line(total),
  ].join('\n');
}
