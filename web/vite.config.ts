import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const webDir = fileURLToPath(new URL('.', import.meta.url));

// Built into dist/web so the dashboard ships in the package (`files`: bin + dist) and
// `gaffer serve` finds it next to its own modules. Absolute base: client routes such as
// /runs/<id> load the same /assets/… files as /.
export default defineConfig({
  root: webDir,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // Served from 127.0.0.1 only, never through a CDN: one small chunk set, no inline base64 fonts.
    assetsInlineLimit: 0,
    sourcemap: false,
    // One bundle served from this machine, not downloaded over a slow link: React Flow makes it ~500 kB.
    chunkSizeWarningLimit: 800,
  },
});
