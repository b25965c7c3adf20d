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
import { userError } from '../domain/index.js';
import type { Approvals } from './approvals.js';
import { parseApprovals } from './approvals.js';
import type { SpecConfig } from './config.js';
import { parseSpecConfig, STARTER_CONFIG } from './config.js';
import type { SpecPaths } from './paths.js';
import { specDir, specPaths, specsDir } from './paths.js';
import type { SpecPhase } from './phases.js';
import { PHASES } from './phases.js';
import type { Receipt } from './receipt.js';
import { parseReceipt, receiptNumber } from './receipt.js';
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
 */
export function nextReceiptNumber(spec: SpecHandle, phase: SpecPhase): number {
  let names: string[];
  try {
    names = readdirSync(spec.paths.receipts);
  } catch {
    return 1;
  }
  const written = names.map((n) => receiptNumber(n, phase) ?? 0);
  const named = PHASES.filter((p) => p !== phase)
    .flatMap((p) => listReceipts(spec, p))
    .map((r) => (r.quick ? (receiptNumber(r.quick.other, phase) ?? 0) : 0));
  return Math.max(0, ...written, ...named) + 1;
}

/** Writes a receipt; its file is created new (O_EXCL), so a receipt once written is never replaced. */
export function writeReceipt(spec: SpecHandle, receipt: Receipt): string {
  realDir(spec.paths.receipts);
  const path = spec.paths.receipt(receipt.phase, receipt.number);
  writeFileSync(path, JSON.stringify(receipt, null, 2) + '\n', { flag: 'wx' });
  return path;
}

export const readApprovals = (spec: SpecHandle): Approvals => parseApprovals(readText(spec.paths.approvals));

export function writeApprovals(spec: SpecHandle, approvals: Approvals): void {
  writeSpecFile(spec.paths.approvals, JSON.stringify(approvals, null, 2) + '\n');
}
