import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userError } from '../domain/index.js';
import type { Approvals } from './approvals.js';
import { parseApprovals } from './approvals.js';
import type { SpecConfig } from './config.js';
import { parseSpecConfig, STARTER_CONFIG } from './config.js';
import type { SpecPaths } from './paths.js';
import { specDir, specPaths, specsDir } from './paths.js';
import type { SpecPhase } from './phases.js';
import type { Receipt } from './receipt.js';
import { parseReceipt, receiptNumber } from './receipt.js';
import { checkSpecId } from './spec-id.js';

/** One spec of a repository, by id, with the paths of its files. */
export interface SpecHandle {
  root: string;
  id: string;
  paths: SpecPaths;
}

/** A file's text now, or undefined when it is not there: every read goes to the disk, never a cache. */
export function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** An existing spec, or a user error saying which ones there are. */
export function openSpec(root: string, id: string): SpecHandle {
  checkSpecId(id);
  const paths = specPaths(specDir(root, id));
  if (!existsSync(paths.feature)) {
    const known = listSpecIds(root);
    throw userError(
      'GAFFER_BAD_INPUT',
      `there is no spec "${id}"`,
      known.length > 0
        ? `the specs here are ${known.join(', ')}`
        : `start one with \`gaffer spec new ${id} --from feature.md\``,
      { spec: id },
    );
  }
  return { root, id, paths };
}

/**
 * Starts a spec from a feature description: `.gaffer/specs/<id>/feature.md` and a spec.yaml at
 * its defaults. An empty description or an id already taken is refused, and nothing is written.
 */
export function createSpec(root: string, id: string, feature: string): SpecHandle {
  checkSpecId(id);
  if (feature.trim() === '')
    throw userError(
      'GAFFER_BAD_INPUT',
      'the feature description is empty',
      'describe the feature in the file, or pass --text "…"',
    );
  const paths = specPaths(specDir(root, id));
  if (existsSync(paths.dir))
    throw userError(
      'GAFFER_BAD_INPUT',
      `spec "${id}" already exists`,
      `pick another id, or see \`gaffer spec status ${id}\``,
      {
        spec: id,
      },
    );
  mkdirSync(paths.receipts, { recursive: true });
  writeFileSync(paths.feature, feature.endsWith('\n') ? feature : `${feature}\n`, { flag: 'wx' });
  writeFileSync(paths.config, STARTER_CONFIG, { flag: 'wx' });
  return { root, id, paths };
}

/** The ids of every spec in the repository, sorted. */
export function listSpecIds(root: string): string[] {
  let names: string[];
  try {
    names = readdirSync(specsDir(root));
  } catch {
    return [];
  }
  return names.filter((name) => existsSync(specPaths(specDir(root, name)).feature)).sort();
}

/** spec.yaml, read now. */
export const readSpecConfig = (spec: SpecHandle): SpecConfig =>
  parseSpecConfig(readText(spec.paths.config), spec.paths.config);

/** The receipts of a phase, oldest first; files that are no receipt are skipped. */
export function listReceipts(spec: SpecHandle, phase: SpecPhase): Receipt[] {
  let names: string[];
  try {
    names = readdirSync(spec.paths.receipts);
  } catch {
    return [];
  }
  return names
    .map((name) => ({ name, n: receiptNumber(name, phase) }))
    .filter((e): e is { name: string; n: number } => e.n !== undefined)
    .sort((a, b) => a.n - b.n)
    .flatMap((e) => {
      const parsed = parseReceipt(readText(`${spec.paths.receipts}/${e.name}`) ?? '');
      return parsed.success ? [parsed.value] : [];
    });
}

/** The number the next run of `phase` gets (receipt numbers are never reused). */
export function nextReceiptNumber(spec: SpecHandle, phase: SpecPhase): number {
  let names: string[];
  try {
    names = readdirSync(spec.paths.receipts);
  } catch {
    return 1;
  }
  return Math.max(0, ...names.map((n) => receiptNumber(n, phase) ?? 0)) + 1;
}

/** Writes a receipt; its file is created new (O_EXCL), so a receipt once written is never replaced. */
export function writeReceipt(spec: SpecHandle, receipt: Receipt): string {
  mkdirSync(spec.paths.receipts, { recursive: true });
  const path = spec.paths.receipt(receipt.phase, receipt.number);
  writeFileSync(path, JSON.stringify(receipt, null, 2) + '\n', { flag: 'wx' });
  return path;
}

export const readApprovals = (spec: SpecHandle): Approvals => parseApprovals(readText(spec.paths.approvals));

export function writeApprovals(spec: SpecHandle, approvals: Approvals): void {
  writeFileSync(spec.paths.approvals, JSON.stringify(approvals, null, 2) + '\n');
}
