// Builds the three web apps, each on its own (its own bundle, so the wallet's size is its own),
// with Vite into dist/web/<app>/, served by the API server at /<app>/.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import react from '@vitejs/plugin-react';

const here = path.dirname(fileURLToPath(import.meta.url));
const apps = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['wallet', 'merchant', 'console'];

for (const app of apps) {
  await build({
    root: path.join(here, app),
    base: `/${app}/`,
    configFile: false,
    logLevel: 'warn',
    plugins: [react()],
    publicDir: path.join(here, app, 'public'),
    build: {
      outDir: path.join(here, '..', 'dist', 'web', app),
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: false,
      chunkSizeWarningLimit: 800,
    },
  });
}
