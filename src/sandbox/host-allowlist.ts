import { isIP } from 'node:net';
import { userError } from '../domain/errors.js';

/**
 * The network allowlist of a sandboxed session, as pure data and decisions: which entries are well formed,
 * which requested `host:port` an entry allows, and which resolved addresses a match may still not reach.
 * The egress proxy (`egress-proxy.ts`) does the I/O around these decisions.
 *
 * Entries are `host`, `host:port`, `*.suffix` or `*.suffix:port`, with IPv6 literals in brackets
 * (`[2001:db8::1]:443`). A host without a port allows every port of that host. `*.example.com` matches every
 * name below `example.com` (at any depth) but not `example.com` itself, so the apex is a separate entry.
 */

/** One well-formed allowlist entry. */
export interface AllowRule {
  /** The entry as the plan wrote it, for messages. */
  readonly entry: string;
  /** Lower-case name or IP literal (IPv6 without brackets); for a wildcard, the suffix after `*.`. */
  readonly host: string;
  readonly wildcard: boolean;
  /** `undefined`: every port. */
  readonly port: number | undefined;
}

/** What parsing one entry gave: a rule, or what is wrong with it and how to write it. */
export type ParsedAllowEntry =
  | { readonly ok: true; readonly rule: AllowRule }
  | { readonly ok: false; readonly entry: string; readonly problem: string; readonly hint: string };

const EXAMPLE = 'write host or host:port, e.g. "api.example.com:443" or "*.example.com:443"';
const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/** Parses one entry; never throws, so a plan validator can position each problem in its file. */
export function parseAllowEntry(entry: string): ParsedAllowEntry {
  const bad = (problem: string, hint = EXAMPLE): ParsedAllowEntry => ({ ok: false, entry, problem, hint });
  const text = entry.trim();
  if (text === '') return bad('a network entry is empty');
  const url = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (url)
    return bad(`"${entry}" is a URL, not a host`, `write its host and port instead: ${urlSuggestion(text)}`);
  if (text.includes('/')) return bad(`"${entry}" has a path; an entry names a host and a port only`);
  if (text.includes('@')) return bad(`"${entry}" has credentials; an entry names a host and a port only`);
  if (/\s/.test(text)) return bad(`"${entry}" contains spaces`, 'write one host per entry');

  const split = splitHostPort(text);
  if (!split || (isIP(split.host) === 6 && !text.startsWith('['))) {
    return bad(
      `"${entry}" is not host or host:port`,
      'write an IPv6 address in brackets: "[2001:db8::1]:443"',
    );
  }
  let port: number | undefined;
  if (split.port !== undefined) {
    if (!/^\d+$/.test(split.port)) return bad(`the port of "${entry}" is not a number`);
    port = Number(split.port);
    if (port < 1 || port > 65535)
      return bad(`port ${split.port} of "${entry}" is out of range: ports run from 1 to 65535`);
  }

  if (split.host === '') return bad(`"${entry}" has no host`);
  const host = normalizeHost(split.host);
  const wildcard = host.startsWith('*.');
  const name = wildcard ? host.slice(2) : host;
  if (host === '*' || name === '')
    return bad(`"${entry}" would allow every host`, 'name each host the session needs');
  if (name.includes('*')) {
    return bad(
      `"${entry}" has a wildcard that is not a leading "*."`,
      'a wildcard covers the names below a domain: "*.example.com"',
    );
  }
  if (isIP(name) !== 0) {
    if (wildcard)
      return bad(`"${entry}" puts a wildcard on an IP address`, 'name the address itself: "10.0.0.5:5432"');
  } else if (!isHostName(name)) {
    return bad(`"${entry}" is not a valid host name`, EXAMPLE);
  }
  if (!wildcard && port === undefined && isLoopbackName(name)) {
    return bad(
      `"${entry}" would open every loopback port`,
      `name the one port the session needs: "${name}:<port>"`,
    );
  }
  return { ok: true, rule: { entry, host: name, wildcard, port } };
}

/**
 * Parses every entry and throws one user error (exit 2) listing all malformed ones, each with how to write it.
 * Duplicates are kept: matching takes the first rule that fits.
 */
export function parseAllowlist(entries: readonly string[]): AllowRule[] {
  const parsed = entries.map(parseAllowEntry);
  const problems = parsed.filter((p) => !p.ok);
  if (problems.length > 0) {
    const lines = problems.map((p) => `${p.problem} (${p.hint})`);
    throw userError(
      'GAFFER_BAD_INPUT',
      `invalid sandbox network entr${lines.length > 1 ? 'ies' : 'y'}: ${lines.join('; ')}`,
      problems[0]?.hint,
      { problems: problems.map(({ entry, problem, hint }) => ({ entry, problem, hint })) },
    );
  }
  return parsed.flatMap((p) => (p.ok ? [p.rule] : []));
}

/** The first rule that allows `host:port` by name (the requested name, before any resolution), if any. */
export function matchAllowRule(
  rules: readonly AllowRule[],
  host: string,
  port: number,
): AllowRule | undefined {
  const name = normalizeHost(host);
  return rules.find(
    (rule) =>
      (rule.port === undefined || rule.port === port) &&
      (rule.wildcard ? name.endsWith(`.${rule.host}`) && isIP(name) === 0 : name === rule.host),
  );
}

/** Why a target is refused, and the entry that would allow it (`undefined` when no entry would). */
export interface EgressRefusal {
  readonly problem: string;
  readonly allowWith: string | undefined;
}

/**
 * Whether a matched rule may reach the addresses its name resolved to. The name match alone would let a
 * wildcard or an attacker-controlled DNS answer point at the host's own services or the cloud metadata
 * endpoint, so: a loopback address needs a rule naming a loopback host with its port (`127.0.0.1:<port>`,
 * `localhost:<port>`); a link-local or metadata address needs a rule naming that very address. Every
 * resolved address must pass, so the connection cannot land on a refused one.
 */
export function vetResolvedAddresses(
  rule: AllowRule,
  target: { host: string; port: number },
  addresses: readonly string[],
): EgressRefusal | undefined {
  const where = formatHostPort(normalizeHost(target.host), target.port);
  for (const address of addresses) {
    const kind = classifyAddress(address);
    if (kind === 'loopback' && !(isLoopbackName(rule.host) && !rule.wildcard && rule.port !== undefined)) {
      return {
        problem: `${where} resolves to ${address}, a loopback address, which only an exact "127.0.0.1:<port>" or "localhost:<port>" entry allows`,
        allowWith: formatHostPort('127.0.0.1', target.port),
      };
    }
    if ((kind === 'link-local' || kind === 'metadata') && !sameAddress(rule.host, address)) {
      return {
        problem: `${where} resolves to ${address}, a ${kind === 'metadata' ? 'cloud metadata' : 'link-local'} address, which only an entry naming that address allows`,
        allowWith: formatHostPort(normalizeHost(address), target.port),
      };
    }
  }
  return undefined;
}

/**
 * The kind of an IP address as far as egress is concerned. `metadata` is the cloud instance-metadata
 * endpoints outside link-local (AWS's IPv6 `fd00:ec2::254`, Alibaba's `100.100.100.200`). The rest of the
 * unique-local range fd00::/8 is `ordinary`, like 10.0.0.0/8: private networks hold the internal registries
 * and services a plan may name, and reaching them still takes an entry that names them.
 */
export function classifyAddress(address: string): 'loopback' | 'link-local' | 'metadata' | 'ordinary' {
  const bytes = ipBytes(normalizeHost(address));
  if (!bytes) return 'ordinary';
  const v4 = bytes.length === 4 ? bytes : ipv4Mapped(bytes);
  if (v4) {
    const [a = 0, b = 0, c = 0, d = 0] = v4;
    if (a === 127 || a === 0) return 'loopback'; // 0.0.0.0/8 reaches this host's own listeners on Linux
    if (a === 169 && b === 254) return 'link-local';
    if (a === 100 && b === 100 && c === 100 && d === 200) return 'metadata';
    return 'ordinary';
  }
  if (bytes.every((x, i) => x === (i === 15 ? 1 : 0)) || bytes.every((x) => x === 0)) return 'loopback';
  if (bytes[0] === 0xfe && ((bytes[1] ?? 0) & 0xc0) === 0x80) return 'link-local';
  const awsMetadata = ipBytes('fd00:ec2::254');
  if (awsMetadata && bytes.every((x, i) => x === awsMetadata[i])) return 'metadata';
  return 'ordinary';
}

/** `localhost`, a name below it (RFC 6761), or a loopback address. */
export function isLoopbackName(host: string): boolean {
  const name = normalizeHost(host);
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  return isIP(name) !== 0 && classifyAddress(name) === 'loopback';
}

/** Lower-case, without a trailing dot or IPv6 brackets: the form rules and targets are compared in. */
export function normalizeHost(host: string): string {
  let name = host.trim().toLowerCase();
  if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
  if (name.endsWith('.') && isIP(name) === 0) name = name.slice(0, -1);
  return name;
}

/** `host:port`, with an IPv6 address in brackets. */
export function formatHostPort(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

/** Splits `host`, `host:port`, `[v6]`, `[v6]:port`; a bare IPv6 address has no port. `undefined` if malformed. */
export function splitHostPort(text: string): { host: string; port: string | undefined } | undefined {
  if (text.startsWith('[')) {
    const m = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
    if (!m?.[1] || isIP(m[1]) !== 6) return undefined;
    return { host: m[1], port: m[2] };
  }
  const colons = text.split(':').length - 1;
  if (colons === 0) return { host: text, port: undefined };
  if (colons === 1) {
    const at = text.indexOf(':');
    return { host: text.slice(0, at), port: text.slice(at + 1) };
  }
  return isIP(text) === 6 ? { host: text, port: undefined } : undefined;
}

function isHostName(name: string): boolean {
  if (name.length > 253) return false;
  const labels = name.split('.');
  // An all-numeric name that is not an IP literal (`2130706433`, `0x7f.1`) is how resolvers spell loopback.
  if (labels.every((label) => /^(0x[0-9a-f]*|\d+)$/.test(label))) return false;
  return labels.every((label) => LABEL.test(label));
}

function urlSuggestion(text: string): string {
  try {
    const url = new URL(text);
    const defaultPort: Record<string, number> = { 'http:': 80, 'https:': 443, 'ws:': 80, 'wss:': 443 };
    const port = url.port === '' ? defaultPort[url.protocol] : Number(url.port);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    return port === undefined ? `"${host}:<port>"` : `"${formatHostPort(host, port)}"`;
  } catch {
    return '"host:port"';
  }
}

/** The 4 or 16 bytes of an IP literal, or `undefined` when it is not one. */
function ipBytes(address: string): number[] | undefined {
  const family = isIP(address);
  if (family === 4) return address.split('.').map(Number);
  if (family !== 6) return undefined;
  let text = address.replace(/%.*$/, ''); // zone id (fe80::1%eth0)
  const tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = v4[1].split('.').map(Number);
    tail.push(a, b, c, d);
    text = text.slice(0, -v4[1].length) + '0:0';
  }
  const [head = '', rest] = text.split('::');
  const words = (part: string | undefined) => (part ? part.split(':').filter((w) => w !== '') : []);
  const left = words(head);
  const right = words(rest);
  const groups =
    rest === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const bytes = groups.flatMap((group) => {
    const value = parseInt(group, 16);
    return [value >> 8, value & 0xff];
  });
  if (tail.length > 0) bytes.splice(12, 4, ...tail);
  return bytes;
}

function sameAddress(a: string, b: string): boolean {
  const x = ipBytes(normalizeHost(a));
  const y = ipBytes(normalizeHost(b));
  return x !== undefined && y !== undefined && x.length === y.length && x.every((byte, i) => byte === y[i]);
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`). */
function ipv4Mapped(bytes: readonly number[]): readonly number[] | undefined {
  const prefix = bytes.slice(0, 12);
  const mapped = prefix.every((x, i) => x === (i >= 10 ? 0xff : 0));
  return mapped ? bytes.slice(12) : undefined;
}
