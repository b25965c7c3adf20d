import { describe, expect, it } from 'vitest';
import { netBridgeArgv, netBridgeConfig, netBridgeScript, proxyEnv } from './network-env.js';

describe('netBridgeConfig', () => {
  it('forwards each exact 127.0.0.1 and localhost entry once per port, and nothing else', () => {
    const config = netBridgeConfig('/run/s/egress.sock', [
      'api.anthropic.com:443',
      '127.0.0.1:4000',
      'localhost:4000',
      'localhost:5000',
      '[::1]:6000',
      '*.example.com',
    ]);
    expect(config).toEqual({
      proxySocket: '/run/s/egress.sock',
      proxyPort: 3128,
      loopback: [
        { host: '127.0.0.1', port: 4000 },
        { host: 'localhost', port: 5000 },
      ],
    });
  });

  it("refuses a loopback entry on the bridge's proxy port, and malformed entries", () => {
    expect(() => netBridgeConfig('/s', ['127.0.0.1:3128'])).toThrow(
      /port 3128, where the sandbox's proxy listens/,
    );
    expect(() => netBridgeConfig('/s', ['http://127.0.0.1:4000'])).toThrow(/is a URL/);
  });
});

describe('proxyEnv', () => {
  it('points every proxy variable at the bridge and leaves only the forwarded loopback entries out', () => {
    const env = proxyEnv(netBridgeConfig('/s', ['127.0.0.1:4000', 'localhost:5000', 'api.openai.com:443']));
    for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy']) {
      expect(env[name]).toBe('http://127.0.0.1:3128');
    }
    expect(env.NO_PROXY).toBe('127.0.0.1:4000,localhost:5000');
    expect(env.no_proxy).toBe(env.NO_PROXY);
  });

  it('sets NO_PROXY even when empty, so an inherited one cannot route around the proxy', () => {
    expect(proxyEnv(netBridgeConfig('/s', ['api.openai.com:443']))).toMatchObject({
      NO_PROXY: '',
      no_proxy: '',
    });
  });
});

describe('netBridgeArgv', () => {
  it('runs argv behind the bridge, config as one JSON argument', () => {
    const config = netBridgeConfig('/s', []);
    expect(
      netBridgeArgv('/usr/bin/node', '/g/dist/sandbox/net-bridge.js', config, ['claude', '-p', 'hi']),
    ).toEqual([
      '/usr/bin/node',
      '/g/dist/sandbox/net-bridge.js',
      JSON.stringify(config),
      '--',
      'claude',
      '-p',
      'hi',
    ]);
  });
});

describe('netBridgeScript', () => {
  it('is the compiled file next to a compiled module, and dist/ when running from src/', () => {
    expect(netBridgeScript('file:///opt/gaffer/dist/sandbox/network-env.js')).toBe(
      '/opt/gaffer/dist/sandbox/net-bridge.js',
    );
    expect(netBridgeScript('file:///repo/src/sandbox/network-env.ts')).toBe(
      '/repo/dist/sandbox/net-bridge.js',
    );
  });
});
