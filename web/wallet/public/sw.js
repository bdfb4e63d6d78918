// saoma wallet service worker: the app shell offline, so the payment-code screen (which needs no
// network: codes are made on the phone) opens without one. Only GETs under /wallet/ are handled;
// the API (/v1/...) is never touched or cached.
const CACHE = 'saoma-wallet-shell-v1';
const SHELL = ['/wallet/', '/wallet/manifest.webmanifest', '/wallet/icon.svg'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(SHELL);
      // The entry chunks the shell names (hashed, so they never change under a name).
      const html = await (await cache.match('/wallet/')).text();
      const assets = [...html.matchAll(/(?:src|href)="(\/wallet\/assets\/[^"]+)"/g)].map((m) => m[1]);
      await cache.addAll(assets);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name.startsWith('saoma-wallet-') && name !== CACHE) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

// The page lists the assets it loaded (entry and lazy chunks); keep those, drop older builds' assets.
self.addEventListener('message', (event) => {
  const data = event.data;
  if (!data || data.type !== 'keep-assets' || !Array.isArray(data.urls)) return;
  const keep = data.urls
    .map((u) => new URL(u, self.location.origin))
    .filter((u) => u.origin === self.location.origin && u.pathname.startsWith('/wallet/assets/'))
    .map((u) => u.pathname)
    .slice(0, 100);
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      for (const path of keep) if (!(await cache.match(path))) await cache.add(path).catch(() => undefined);
      const html = await cache.match('/wallet/');
      const inShell = html ? [...(await html.clone().text()).matchAll(/(?:src|href)="(\/wallet\/assets\/[^"]+)"/g)].map((m) => m[1]) : [];
      for (const request of await cache.keys()) {
        const path = new URL(request.url).pathname;
        if (path.startsWith('/wallet/assets/') && !keep.includes(path) && !inShell.includes(path)) await cache.delete(request);
      }
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || !url.pathname.startsWith('/wallet/')) return;

  if (request.mode === 'navigate') {
    // Network first (a deploy shows at once), the kept shell when offline: every route is the SPA.
    event.respondWith(
      (async () => {
        try {
          const response = await fetch(request);
          if (response.ok) {
            const cache = await caches.open(CACHE);
            await cache.put('/wallet/', response.clone());
          }
          return response;
        } catch {
          const cached = await caches.match('/wallet/');
          return cached ?? new Response('offline', { status: 503, headers: { 'content-type': 'text/plain' } });
        }
      })(),
    );
    return;
  }

  if (url.pathname.startsWith('/wallet/assets/')) {
    // Hashed names: a kept copy is always right.
    event.respondWith(
      (async () => {
        const cached = await caches.match(url.pathname);
        if (cached) return cached;
        const response = await fetch(request);
        if (response.ok) {
          const cache = await caches.open(CACHE);
          await cache.put(url.pathname, response.clone());
        }
        return response;
      })(),
    );
    return;
  }

  // Other files of the app (icons, manifest): the network, or the kept copy offline.
  event.respondWith(
    (async () => {
      try {
        return await fetch(request);
      } catch {
        const cached = await caches.match(url.pathname);
        return cached ?? new Response('offline', { status: 503, headers: { 'content-type': 'text/plain' } });
      }
    })(),
  );
});
