import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InvariantError, userError } from '../domain/index.js';
import type { Approvals } from './approvals.js';
import { parseApprovals } from './approvals.js';
import type { SpecConfig } from './config.js';
import { parseSpecConfig, STARTER_CONFIG } from './config.js';
import type { SpecPaths } from './paths.js';
import { specDir, specPaths, specsDir } from './paths.js';
import type { SpecPhase } from './phases.js';
import { PHASE_ARTIFACT, PHASES } from './phases.js';
import type { Receipt } from './receipt.js';
import { parseReceipt, receiptNumber, RUNNING_STATUS } from './receipt.js';
import { checkSpecId } from './spec-id.js';

/** One spec of a repository, by id, with the paths of its files. */
export interface SpecHandle {
  root: string;
  id: string;
  paths: SpecPaths;
}

// Absent on Windows, where symbolic links need privileges to make: lstat alone guards there.
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;
const NON_BLOCK = constants.O_NONBLOCK ?? 0;

/**
 * A spec file's text now, or undefined when it is not there: every read goes to the disk, never a
 * cache. A spec's files are sent to a model, so one that is a symbolic link (feature.md pointing
 * at ~/.aws/credentials) or not a regular file is refused rather than followed: the check is
 * lstat for a clear message, then an open with O_NOFOLLOW so a link swapped in between is
 * refused too (and O_NONBLOCK, so a FIFO cannot hang the read).
 */
export function readText(path: string): string | undefined {
  let stats;
  try {
    stats = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (!stats.isFile()) throw notRegular(path, stats.isSymbolicLink());
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | NO_FOLLOW | NON_BLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw notRegular(path, true);
    throw error;
  }
  try {
    if (!fstatSync(fd).isFile()) throw notRegular(path, false);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

const notRegular = (path: string, link: boolean) =>
  userError(
    'GAFFER_BAD_INPUT',
    `${path} is ${link ? 'a symbolic link' : 'not a regular file'}; a spec's files are read only as regular files`,
    'replace it with a regular file of its own: a spec never reads through a link, so nothing outside it goes to a model',
    { path },
  );

/**
 * Writes a spec file by way of a new file in the same folder renamed over it: a rename replaces a
 * symbolic link where a plain write would follow it out of the spec, and a reader never sees a
 * half-written file.
 */
export function writeSpecFile(path: string, text: string): void {
  const dir = dirname(path);
  realDir(dir);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  writeFileSync(temp, text, { flag: 'wx' });
  try {
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * Makes a folder of a spec (receipts, history) when it is missing, and refuses one that is a
 * symbolic link, which would send what is written there out of the spec.
 */
export function realDir(path: string): void {
  mkdirSync(path, { recursive: true });
  const stats = lstatSync(path);
  if (!stats.isDirectory())
    throw userError(
      'GAFFER_BAD_INPUT',
      `${path} is ${stats.isSymbolicLink() ? 'a symbolic link' : 'not a directory'}; a spec writes only into its own folders`,
      'replace it with a plain directory (move what it points at inside, if it should be kept)',
      { path },
    );
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** An existing spec, or a user error saying which ones there are. */
export function openSpec(root: string, id: string): SpecHandle {
  checkSpecId(id);
  const paths = specPaths(specDir(root, id));
  // The folder itself as a link would have every read and write go where it points.
  if (isLink(paths.dir))
    throw userError(
      'GAFFER_BAD_INPUT',
      `${paths.dir} is a symbolic link; a spec's folder must be a plain directory`,
      'move the spec into .gaffer/specs/ itself instead of linking it there',
      { spec: id, path: paths.dir },
    );
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

/**
 * The number the next run of `phase` gets (receipt numbers are never reused). A quick run's
 * receipt names its other half (`quick.other`) before that one is written: a number named so is
 * taken even when a crash left its receipt unwritten, so a later run never pairs with a stranger.
 * So is the number of a file in `history/` (`<n>-<artifact>`, kept by run n): a run killed before
 * its receipt, or receipts a person deleted, never has a later run reuse n and keep over it.
 */
export function nextReceiptNumber(spec: SpecHandle, phase: SpecPhase): number {
  const written = namesIn(spec.paths.receipts).map((n) => receiptNumber(n, phase) ?? 0);
  const named = PHASES.filter((p) => p !== phase)
    .flatMap((p) => listReceipts(spec, p))
    .map((r) => (r.quick ? (receiptNumber(r.quick.other, phase) ?? 0) : 0));
  const kept = namesIn(spec.paths.history).map((n) => historyNumber(n, phase) ?? 0);
  return Math.max(0, ...written, ...named, ...kept) + 1;
}

const namesIn = (dir: string): string[] => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};

/**
 * The name under `history/` of the artifact of `phase` as it was before run `number`; `copy` > 1
 * when that name is taken (`<n>.<copy>-<artifact>`), so a file kept there is never replaced.
 */
export const historyName = (phase: SpecPhase, number: number, copy = 1): string =>
  `${number}${copy > 1 ? `.${copy}` : ''}-${PHASE_ARTIFACT[phase]}`;

/** `<n>-<artifact>` or `<n>.<copy>-<artifact>` → n, for the history files of `phase`. */
export function historyNumber(fileName: string, phase: SpecPhase): number | undefined {
  const artifact = PHASE_ARTIFACT[phase];
  if (!fileName.endsWith(`-${artifact}`)) return undefined;
  const match = /^(\d+)(?:\.\d+)?$/.exec(fileName.slice(0, -artifact.length - 1));
  return match ? Number(match[1]) : undefined;
}

/**
 * Writes a receipt; its file is created new (O_EXCL), so a receipt once written is never
 * replaced: a run reserves its number so, as `running`, before it asks the model.
 */
export function writeReceipt(spec: SpecHandle, receipt: Receipt): string {
  realDir(spec.paths.receipts);
  const path = spec.paths.receipt(receipt.phase, receipt.number);
  writeFileSync(path, JSON.stringify(receipt, null, 2) + '\n', { flag: 'wx' });
  return path;
}

/**
 * Replaces a receipt reserved as `running` by a later state of the same run (what it is about to
 * write, then how it ended): a new file renamed over it, so a reader sees one receipt or the
 * other, never half of one. A finished receipt is never replaced.
 */
export function replaceReceipt(spec: SpecHandle, receipt: Receipt): string {
  const path = spec.paths.receipt(receipt.phase, receipt.number);
  const reserved = parseReceipt(readText(path) ?? '');
  if (!reserved.success || reserved.value.status !== RUNNING_STATUS)
    throw new InvariantError(`${path} is not the receipt of a run under way; it is never replaced`);
  writeSpecFile(path, JSON.stringify(receipt, null, 2) + '\n');
  return path;
}

export const readApprovals = (spec: SpecHandle): Approvals => parseApprovals(readText(spec.paths.approvals));

export function writeApprovals(spec: SpecHandle, approvals: Approvals): void {
  writeSpecFile(spec.paths.approvals, JSON.stringify(approvals, null, 2) + '\n');
}
