import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

// Serves the built web apps (dist/web/<app>/) at /<app>/. A single-page app: a path that names
// no file gets the app's index.html, so deep links work. Hashed assets are cached for a year;
// index.html and the service worker never, so a deploy is picked up at once.

export const WEB_APPS = ['wallet', 'merchant', 'console'] as const;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Whether an Accept-Encoding header admits gzip (and does not refuse it with q=0). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/** dist/web, next to dist/src where this module runs from (or undefined before `npm run build`). */
export function webRoot(): string | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const root = path.resolve(here, '../../web');
  return fs.existsSync(root) ? root : undefined;
}

export function registerWebApps(app: FastifyInstance, root: string | undefined = webRoot()): void {
  app.get('/', { schema: { hide: true } }, async (_request, reply) => {
    const links = WEB_APPS.map((name) => `<li><a href="/${name}/">${name}</a></li>`).join('');
    return reply
      .type('text/html; charset=utf-8')
      .send(`<!doctype html><html lang="en"><meta charset="utf-8"><title>saoma</title><h1>saoma</h1><ul>${links}<li><a href="/docs">API docs</a></li></ul></html>`);
  });
  for (const name of WEB_APPS) {
    const appRoot = root ? path.join(root, name) : undefined;
    app.get(`/${name}`, { schema: { hide: true } }, async (_request, reply) => reply.redirect(`/${name}/`, 301));
    app.get(`/${name}/*`, { schema: { hide: true } }, async (request, reply) => {
      if (!appRoot || !fs.existsSync(path.join(appRoot, 'index.html'))) {
        return reply.status(404).type('text/plain; charset=utf-8').send(`the ${name} app is not built: run npm run build`);
      }
      // Fastify has decoded the path once already; a control character (a NUL) names no file.
      const wanted = (request.params as { '*'?: string })['*'] ?? '';
      if (/[\u0000-\u001f]/.test(wanted)) return reply.status(404).type('text/plain; charset=utf-8').send('not found');
      const file = path.resolve(appRoot, wanted);
      // Never outside the app's folder (../ or an absolute path in the URL).
      const inside = file.startsWith(appRoot + path.sep);
      const isFile = inside && wanted !== '' && fs.statSync(file, { throwIfNoEntry: false })?.isFile() === true;
      if (!isFile && (wanted.startsWith('assets/') || path.extname(wanted) !== '')) {
        return reply.status(404).type('text/plain; charset=utf-8').send('not found');
      }
      const target = isFile ? file : path.join(appRoot, 'index.html');
      const ext = path.extname(target);
      const immutable = isFile && wanted.startsWith('assets/');
      reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      if (name === 'wallet' && wanted === 'sw.js') reply.header('service-worker-allowed', '/wallet/');
      reply.header('vary', 'accept-encoding');
      reply.type(TYPES[ext] ?? 'application/octet-stream');
      // The build wrote a gzip copy next to each text file (web/build.mjs).
      if (acceptsGzip(request.headers['accept-encoding']) && fs.existsSync(target + '.gz')) {
        return reply.header('content-encoding', 'gzip').send(fs.createReadStream(target + '.gz'));
      }
      return reply.send(fs.createReadStream(target));
    });
  }
}
