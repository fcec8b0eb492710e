// The offline shell: the storefront's and admin page's own files (HTML,
// CSS, JS), network first so that an upgrade shows at once, with the last
// copy from the cache when the network is down or too slow. The API is
// never touched here: prices, stock, carts and payments only come live
// from the server (a cached price would be refused by the server anyway),
// and the events stream must reach nginx untouched.
const CACHE = 'umkm-shell-v1';
const NETWORK_WAIT_MS = 5000; // a stall's weak signal: fall back to the copy after this
const SHELL = [
  '/',
  '/index.html',
  '/manifest.json',
  '/favicon.svg',
  '/css/base.css',
  '/css/shop.css',
  '/js/api.js',
  '/js/cart.js',
  '/js/dom.js',
  '/js/errors.js',
  '/js/i18n.js',
  '/js/i18n/en.js',
  '/js/i18n/id.js',
  '/js/money.js',
  '/js/page.js',
  '/js/store.js',
  '/js/storefront.js',
  '/js/tx-status.js',
  '/admin/',
  '/admin/index.html',
  '/admin/admin.css',
  '/admin/admin.js',
];

self.addEventListener('install', (event) => {
  // One missing file must not cost the whole shell: each is cached alone.
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => Promise.all(SHELL.map((url) => cache.add(url).catch(() => undefined))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/_')) return; // live only
  event.respondWith(networkFirst(request, url));
});

async function fromCache(request, url) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request, { ignoreSearch: true });
  if (hit) return hit;
  // A page address that was never cached (/?x, /admin): its shell.
  if (request.mode === 'navigate') {
    return cache.match(url.pathname.startsWith('/admin') ? '/admin/index.html' : '/index.html');
  }
  return undefined;
}

async function networkFirst(request, url) {
  const network = fetch(request).then(async (response) => {
    if (response.ok && response.type === 'basic') {
      const cache = await caches.open(CACHE);
      await cache.put(request, response.clone());
    }
    return response;
  });
  network.catch(() => undefined); // a late failure after the cache answered is no error
  // Whichever comes first: the network's answer, or (after a wait, or at
  // once if the network fails) the cached copy. No copy: the network's
  // answer, however slow, or its error.
  const slow = new Promise((resolve) => setTimeout(resolve, NETWORK_WAIT_MS));
  try {
    const winner = await Promise.race([network, slow.then(() => fromCache(request, url))]);
    return winner || (await network);
  } catch {
    return (await fromCache(request, url)) || Response.error();
  }
}
