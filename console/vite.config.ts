import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The operator console. `npm run build:console` (and `npm start`, when the sources changed) builds it into
 * console/dist, served by the local runtime at /console/ and on AWS from the console bucket.
 * `npm run console:dev` serves it with hot reload and forwards the API to `npm start` on port 3000.
 */
export default defineConfig({
  root,
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // bin/console-size.ts follows each entry's static imports through it.
    manifest: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: { '/v1': 'http://localhost:3000', '/local': 'http://localhost:3000' },
  },
});
