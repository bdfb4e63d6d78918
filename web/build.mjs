// Builds the three web apps, each on its own (its own bundle, so the wallet's size is its own),
// with Vite into dist/web/<app>/, served by the API server at /<app>/.
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
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
  // Pre-compressed copies, so the server sends gzip without compressing on every request.
  const out = path.join(here, '..', 'dist', 'web', app);
  for (const dir of [out, path.join(out, 'assets')]) {
    for (const name of fs.readdirSync(dir)) {
      const file = path.join(dir, name);
      if (!/\.(js|css|html|svg|webmanifest|json)$/.test(name) || !fs.statSync(file).isFile()) continue;
      const raw = fs.readFileSync(file);
      const gz = gzipSync(raw, { level: 9 });
      if (gz.length < raw.length) fs.writeFileSync(file + '.gz', gz);
    }
  }
}
