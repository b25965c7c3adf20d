import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { CommandSandbox } from '../../domain/index.js';
import { writeCodexLauncher } from './codex-launcher.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gaffer-launcher-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

it("starts the wrapped command with the SDK's arguments after it, the options read from the file", async () => {
  // A stand-in for bwrap that reports its arguments and the NUL-separated options on fd 3.
  const fakeBwrap = path.join(dir, 'bwrap');
  await writeFile(
    fakeBwrap,
    `#!${process.execPath}\nconst file = require('node:fs').readFileSync('/dev/fd/3', 'utf8');\n` +
      `console.log(JSON.stringify({ argv: process.argv.slice(2), options: file.split('\\0').slice(0, -1) }));\n`,
  );
  await chmod(fakeBwrap, 0o755);
  const sandbox: CommandSandbox = {
    enabled: true,
    tmpDir: dir,
    wrap: (argv, env) => ({
      argv: [
        fakeBwrap,
        '--bind',
        "it's here",
        '/x',
        '--',
        '/usr/bin/node',
        "a 'quoted' $HOME `word`",
        ...argv,
      ],
      env: { ...env, TMPDIR: dir },
    }),
  };
  const launcher = await writeCodexLauncher(sandbox, '/opt/codex', { PATH: '/usr/bin' });
  try {
    const { stdout } = await promisify(execFile)(launcher.path, ['exec', '--experimental-json']);
    expect(JSON.parse(stdout)).toEqual({
      argv: [
        '--args',
        '3',
        '--',
        '/usr/bin/node',
        "a 'quoted' $HOME `word`",
        '/opt/codex',
        'exec',
        '--experimental-json',
      ],
      options: ['--bind', "it's here", '/x', '--setenv', 'TMPDIR', dir],
    });
  } finally {
    await launcher.dispose();
  }
});
