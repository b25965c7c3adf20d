import { describe, expect, it } from 'vitest';
import { GafferError } from '../domain/errors.js';
import {
  classifyAddress,
  matchAllowRule,
  parseAllowEntry,
  parseAllowlist,
  vetResolvedAddresses,
} from './host-allowlist.js';
import type { AllowRule } from './host-allowlist.js';

function rule(entry: string): AllowRule {
  const [parsed] = parseAllowlist([entry]);
  if (!parsed) throw new Error(`no rule for ${entry}`);
  return parsed;
}

function problemOf(entry: string): { problem: string; hint: string } {
  const parsed = parseAllowEntry(entry);
  if (parsed.ok) throw new Error(`"${entry}" was accepted`);
  return parsed;
}

describe('parseAllowEntry', () => {
  it('reads hosts, ports, wildcards and IP literals', () => {
    expect(rule('api.anthropic.com:443')).toEqual({
      entry: 'api.anthropic.com:443',
      host: 'api.anthropic.com',
      wildcard: false,
      port: 443,
    });
    expect(rule('Registry.NPMJS.org.')).toMatchObject({ host: 'registry.npmjs.org', port: undefined });
    expect(rule('*.example.com:443')).toMatchObject({ host: 'example.com', wildcard: true, port: 443 });
    expect(rule('[2001:db8::1]:8443')).toMatchObject({ host: '2001:db8::1', port: 8443 });
    expect(rule('10.0.0.5')).toMatchObject({ host: '10.0.0.5', port: undefined });
    expect(rule('127.0.0.1:4000')).toMatchObject({ host: '127.0.0.1', port: 4000 });
  });

  it('refuses a URL and says which host:port to write instead', () => {
    const { problem, hint } = problemOf('https://api.example.com');
    expect(problem).toContain('is a URL');
    expect(hint).toContain('"api.example.com:443"');
    expect(problemOf('http://[::1]:8080/v1').hint).toContain('"[::1]:8080"');
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['example.com:0', 'out of range'],
    ['example.com:65536', 'out of range'],
    ['example.com:https', 'not a number'],
    [':443', 'no host'],
    ['*', 'every host'],
    ['*.', 'every host'],
    ['a.*.example.com', 'wildcard'],
    ['*example.com', 'wildcard'],
    ['*.10.0.0.1', 'wildcard on an IP'],
    ['example.com/v1', 'path'],
    ['user:pw@example.com', 'credentials'],
    ['exa mple.com', 'spaces'],
    ['-bad-.example.com', 'not a valid host name'],
    ['2130706433', 'not a valid host name'],
    ['2001:db8::1:443', 'not host or host:port'],
    ['localhost', 'every loopback port'],
    ['127.0.0.1', 'every loopback port'],
    ['[::1]', 'every loopback port'],
  ])('refuses %j (%s)', (entry, what) => {
    const { problem, hint } = problemOf(entry);
    expect(problem).toContain(what);
    expect(hint).not.toBe('');
  });

  it('throws one user error naming every bad entry', () => {
    let caught: unknown;
    try {
      parseAllowlist(['ok.example.com', 'https://x.example.com', 'y.example.com:99999']);
    } catch (error) {
      caught = error;
    }
    expect(GafferError.isInstance(caught)).toBe(true);
    const error = caught as GafferError;
    expect(error.userError).toBe(true);
    expect(error.message).toContain('"https://x.example.com" is a URL');
    expect(error.message).toContain('"x.example.com:443"');
    expect(error.message).toContain('port 99999');
    expect(error.details.problems).toHaveLength(2);
  });
});

describe('matchAllowRule', () => {
  const rules = parseAllowlist([
    'api.anthropic.com:443',
    'registry.npmjs.org',
    '*.example.com:443',
    '[::1]:9000',
  ]);

  it('matches a host on the named port, and every port when none is named', () => {
    expect(matchAllowRule(rules, 'api.anthropic.com', 443)?.entry).toBe('api.anthropic.com:443');
    expect(matchAllowRule(rules, 'api.anthropic.com', 80)).toBeUndefined();
    expect(matchAllowRule(rules, 'registry.npmjs.org', 8080)?.entry).toBe('registry.npmjs.org');
    expect(matchAllowRule(rules, 'API.Anthropic.COM.', 443)?.entry).toBe('api.anthropic.com:443');
    expect(matchAllowRule(rules, '[::1]', 9000)?.entry).toBe('[::1]:9000');
  });

  it('matches a wildcard below its domain at any depth, but not the domain itself nor look-alikes', () => {
    expect(matchAllowRule(rules, 'a.example.com', 443)?.entry).toBe('*.example.com:443');
    expect(matchAllowRule(rules, 'a.b.example.com', 443)?.entry).toBe('*.example.com:443');
    expect(matchAllowRule(rules, 'example.com', 443)).toBeUndefined();
    expect(matchAllowRule(rules, 'badexample.com', 443)).toBeUndefined();
    expect(matchAllowRule(rules, 'example.com.evil.net', 443)).toBeUndefined();
    expect(matchAllowRule(rules, 'a.example.com', 80)).toBeUndefined();
  });

  it('never matches a name that is not listed', () => {
    expect(matchAllowRule(rules, 'api.openai.com', 443)).toBeUndefined();
    expect(matchAllowRule(rules, '127.0.0.1', 9000)).toBeUndefined();
  });
});

describe('vetResolvedAddresses', () => {
  const target = (host: string, port: number) => ({ host, port });

  it('lets a named host reach ordinary addresses, private ones included', () => {
    const r = rule('*.example.com:443');
    expect(
      vetResolvedAddresses(r, target('a.example.com', 443), ['93.184.216.34', '10.1.2.3', 'fd12::1']),
    ).toBe(undefined);
  });

  it('refuses a name that resolves to loopback unless the entry names a loopback host and port', () => {
    const refusal = vetResolvedAddresses(rule('*.example.com:4000'), target('a.example.com', 4000), [
      '127.0.0.1',
    ]);
    expect(refusal?.problem).toContain('loopback');
    expect(refusal?.allowWith).toBe('127.0.0.1:4000');
    expect(vetResolvedAddresses(rule('dev.test:4000'), target('dev.test', 4000), ['::1'])?.problem).toContain(
      'loopback',
    );
    expect(vetResolvedAddresses(rule('a.test:80'), target('a.test', 80), ['::ffff:127.0.0.1'])).toBeDefined();
    expect(vetResolvedAddresses(rule('a.test:80'), target('a.test', 80), ['0.0.0.0'])).toBeDefined();
    expect(vetResolvedAddresses(rule('127.0.0.1:4000'), target('127.0.0.1', 4000), ['127.0.0.1'])).toBe(
      undefined,
    );
    expect(
      vetResolvedAddresses(rule('localhost:4000'), target('localhost', 4000), ['::1', '127.0.0.1']),
    ).toBe(undefined);
  });

  it('refuses every address of a name when one of them is refused', () => {
    expect(
      vetResolvedAddresses(rule('a.test'), target('a.test', 80), ['93.184.216.34', '169.254.169.254']),
    ).toBeDefined();
  });

  it('refuses link-local and metadata addresses unless the entry names that address', () => {
    const refusal = vetResolvedAddresses(
      rule('metadata.google.internal'),
      target('metadata.google.internal', 80),
      ['169.254.169.254'],
    );
    expect(refusal?.problem).toContain('link-local');
    expect(refusal?.allowWith).toBe('169.254.169.254:80');
    expect(vetResolvedAddresses(rule('a.test'), target('a.test', 80), ['fd00:ec2::254'])?.problem).toContain(
      'metadata',
    );
    expect(vetResolvedAddresses(rule('a.test'), target('a.test', 80), ['::ffff:169.254.1.1'])).toBeDefined();
    expect(vetResolvedAddresses(rule('a.test'), target('a.test', 80), ['fe80::1'])).toBeDefined();
    expect(
      vetResolvedAddresses(rule('169.254.169.254:80'), target('169.254.169.254', 80), ['169.254.169.254']),
    ).toBe(undefined);
    expect(
      vetResolvedAddresses(rule('[fd00:ec2:0::254]'), target('fd00:ec2::254', 80), ['fd00:ec2::254']),
    ).toBe(undefined);
  });
});

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['::', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['fe80::abcd', 'link-local'],
    ['fd00:ec2::254', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['fd00::1', 'ordinary'],
    ['10.0.0.1', 'ordinary'],
    ['2606:4700::6810:84e5', 'ordinary'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });
});
