// The offline shell: the storefront's and admin page's own files (HTML,
// CSS, JS), and nothing else. Network first, so that an upgrade shows at
// once; the cached copy only when the network fails outright (offline, DNS,
// refused), never because it is slow: a copy served after a timeout could
// mix an old module with the new ones an upgrade just fetched.
//
// Only the exact pathnames in SHELL are handled (and navigations to the two
// pages); every other request, above all /api/ in any spelling
// ("//api/…", "/%61pi/…"), goes to the network untouched: prices, stock,
// carts and payments only come live from the server, and the events stream
// must reach nginx as it is.
//
// VERSION names the cache: change it whenever SHELL changes (or a shell
// file must not be mixed with its predecessor). The new worker then fills a
// new cache and, once active, deletes the old one.
const VERSION = 2;
const CACHE = `umkm-shell-v${VERSION}`;
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

const SHELL_PATHS = new Set(SHELL);
// The pages themselves: a navigation to one of them with a query string
// (?utm=…) still gets the page.
const PAGES = new Set(['/', '/index.html', '/admin/', '/admin/index.html']);

self.addEventListener('install', (event) => {
  // One missing file must not cost the whole shell: each is cached alone.
  // cache: 'reload' skips the HTTP cache, so the new shell is all new.
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) =>
        Promise.all(SHELL.map((path) => cache.add(new Request(path, { cache: 'reload' })).catch(() => undefined))),
      )
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

// The cache key of a request this worker handles (the bare pathname), or
// null for everything else, which the browser then fetches as usual.
function shellKey(request) {
  if (request.method !== 'GET') return null;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return null;
  if (request.mode === 'navigate') return PAGES.has(url.pathname) ? url.pathname : null;
  return url.search === '' && SHELL_PATHS.has(url.pathname) ? url.pathname : null;
}

self.addEventListener('fetch', (event) => {
  const key = shellKey(event.request);
  if (key) event.respondWith(networkFirst(event, key));
});

async function networkFirst(event, key) {
  let response;
  try {
    response = await fetch(event.request);
  } catch {
    // No network at all: the last copy, if any.
    const cached = await caches.match(key, { cacheName: CACHE });
    return cached || Response.error();
  }
  if (response.ok && response.type === 'basic' && !response.redirected) {
    const copy = response.clone();
    event.waitUntil(caches.open(CACHE).then((cache) => cache.put(key, copy)));
  }
  return response;
}
