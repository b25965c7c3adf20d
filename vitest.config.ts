import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Tests run the real claude and codex binaries, whose shell tools source the user's shell start-up
// files; a slow or broken ~/.bashrc on the machine (a pyenv init waiting on a lock, say) must not
// hang the suite. Every test process gets a fresh, empty HOME.
const home = mkdtempSync(join(tmpdir(), 'gaffer-test-home-'));

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    env: { HOME: home },
  },
});
