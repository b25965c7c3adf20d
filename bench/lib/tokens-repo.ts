import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Instructions of the benchmark repository, about as long as a real project's. */
export const AGENTS_MD = `# Working on inventory-service

inventory-service keeps stock levels for the shop: it reserves items for carts, releases them
when carts expire, and reports low stock to purchasing.

## Layout
- \`src/domain/\` holds pure types and rules: no I/O, no clock, no randomness.
- \`src/lib/\` holds small helpers shared by every layer (strings, money, dates, ids).
- \`src/services/\` holds the use cases; each takes its dependencies as arguments.
- \`src/http/\` maps HTTP requests to services and services' errors to status codes.
- \`src/features/\` holds one file per feature flag'd capability.
- \`test/\` mirrors \`src/\`; every exported function has a test.

## Conventions
- TypeScript, ESM, strict mode. Two-space indentation, single quotes, trailing commas.
- Named exports only; no default exports. One concept per file, kebab-case file names.
- Money is an integer number of cents (\`Cents\`), never a float.
- Dates are ISO-8601 strings at the edges and \`Date\` objects inside.
- Errors are \`InventoryError\` with a stable \`code\`; never throw strings.
- Comments say why, not what. JSDoc on every export.

## Checks
- \`npm test\` runs the unit tests (Vitest); they must pass before you finish.
- \`npm run lint\` runs ESLint and Prettier; fix what it reports, do not disable rules.
- \`npm run typecheck\` must report no errors.

## Do not
- Do not edit \`package-lock.json\` by hand or add dependencies without saying why.
- Do not change files under \`migrations/\`: write a new migration instead.
- Do not log customer data (emails, addresses, payment details).
`;

const MODULES: readonly [string, string][] = [
  ['src/domain/item.ts', 'Item'],
  ['src/domain/reservation.ts', 'Reservation'],
  ['src/domain/stock-level.ts', 'StockLevel'],
  ['src/domain/errors.ts', 'InventoryError'],
  ['src/lib/strings.ts', 'slugify'],
  ['src/lib/money.ts', 'Cents'],
  ['src/lib/dates.ts', 'addMinutes'],
  ['src/lib/ids.ts', 'newId'],
  ['src/services/reserve.ts', 'reserve'],
  ['src/services/release.ts', 'release'],
  ['src/services/restock.ts', 'restock'],
  ['src/services/low-stock.ts', 'lowStock'],
  ['src/http/routes.ts', 'routes'],
  ['src/http/errors.ts', 'statusOf'],
  ['src/index.ts', 'start'],
  ['test/lib/strings.test.ts', 'slugify'],
  ['test/lib/money.test.ts', 'Cents'],
  ['test/services/reserve.test.ts', 'reserve'],
  ['test/services/release.test.ts', 'release'],
  ['migrations/001-init.sql', 'init'],
];

/** The benchmark repository's source files, relative paths. */
export const SOURCE_FILES: readonly string[] = MODULES.map(([file]) => file);

function sourceOf(file: string, name: string): string {
  if (file.endsWith('.sql'))
    return `-- ${name}\nCREATE TABLE items (id TEXT PRIMARY KEY, sku TEXT NOT NULL, on_hand INTEGER NOT NULL);\n`;
  const lines = [
    `/** ${name}: part of inventory-service (${file}). */`,
    `export interface ${name}Options {`,
    `  /** How many units the operation concerns. */`,
    `  quantity: number;`,
    `  /** When the operation happens, as an ISO-8601 string. */`,
    `  at: string;`,
    `}`,
    ``,
    `/** Validates ${name} options; quantities are whole and positive. */`,
    `export function check${name}(options: ${name}Options): string[] {`,
    `  const problems: string[] = [];`,
    `  if (!Number.isInteger(options.quantity) || options.quantity <= 0) problems.push('quantity must be a positive integer');`,
    `  if (Number.isNaN(Date.parse(options.at))) problems.push('at must be an ISO-8601 date');`,
    `  return problems;`,
    `}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** A small git repository with AGENTS.md and ~20 source files, committed on `main`. */
export async function createTokensRepo(root: string): Promise<void> {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'bench@example.invalid');
  git('config', 'user.name', 'bench');
  await writeFile(path.join(root, 'AGENTS.md'), AGENTS_MD);
  await writeFile(path.join(root, 'package.json'), '{ "name": "inventory-service", "type": "module" }\n');
  for (const [file, name] of MODULES) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), sourceOf(file, name));
  }
  git('add', '.');
  git('commit', '-q', '-m', 'initial');
}
