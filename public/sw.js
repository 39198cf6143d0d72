/*
 * Koma's service worker: just enough for the studio to open again without a network, so edits
 * kept in IndexedDB (app/_lib/offline.ts) can be seen and continued after a reload or a closed
 * tab. It never touches /api (data always comes from the server or the shared document) and
 * never caches anything personal: pages are rendered in the browser from the documents.
 *
 * - /_next/static/*, /fonts/*, /tldraw/*: content-addressed or versioned → cache first.
 * - page navigations: network first; the last copy when the network fails.
 * - a page that just loaded posts {type:'warm', urls} so what it already fetched before this
 *   worker controlled it is cached too; the worker answers {type:'warmed'}.
 */
const CACHE = 'koma-shell-v1';
const STATIC = ['/_next/static/', '/fonts/', '/tldraw/'];

self.addEventListener('install', () => self.skipWaiting());

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name !== CACHE && name.startsWith('koma-shell-')) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

function sameOrigin(url) {
  return url.origin === self.location.origin;
}

function isStatic(url) {
  return STATIC.some((p) => url.pathname.startsWith(p));
}

async function put(request, response) {
  if (!response || !response.ok || response.type !== 'basic') return;
  const cache = await caches.open(CACHE);
  await cache.put(request, response);
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (!sameOrigin(url) || url.pathname.startsWith('/api/')) return;
  if (isStatic(url)) {
    event.respondWith(
      (async () => {
        const hit = await caches.match(request);
        if (hit) return hit;
        const response = await fetch(request);
        event.waitUntil(put(request, response.clone()));
        return response;
      })(),
    );
    return;
  }
  if (request.mode === 'navigate') {
    event.respondWith(
      (async () => {
        try {
          const response = await fetch(request);
          event.waitUntil(put(pageKey(url), response.clone()));
          return response;
        } catch (error) {
          const hit = await caches.match(pageKey(url));
          if (hit) return hit;
          throw error;
        }
      })(),
    );
  }
});

/** Pages are cached by path: the hash (#phase) and query never change the HTML. */
function pageKey(url) {
  return new Request(url.origin + url.pathname);
}

self.addEventListener('message', (event) => {
  const data = event.data;
  if (!data || data.type !== 'warm' || !Array.isArray(data.urls)) return;
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await Promise.all(
        data.urls.slice(0, 300).map(async (raw) => {
          try {
            const url = new URL(String(raw), self.location.origin);
            if (!sameOrigin(url) || url.pathname.startsWith('/api/')) return;
            const key = isStatic(url) ? new Request(url.href) : pageKey(url);
            if (await cache.match(key)) return;
            const response = await fetch(url.href, { credentials: 'same-origin' });
            if (response.ok) await cache.put(key, response);
          } catch {
            /* best effort: a missing file only means that page cannot open offline */
          }
        }),
      );
      event.source?.postMessage({ type: 'warmed' });
    })(),
  );
});
