{% autoescape off %}/* Newsstand service worker: the app shell and the last home page, for reading offline. */
"use strict";

const VERSION = "{{ version|escapejs }}";
const SHELL_CACHE = "newsstand-shell-" + VERSION;
const PAGES_CACHE = "newsstand-pages";
const OFFLINE_URL = "{{ offline_url|escapejs }}";
const HOME_URL = "{{ home_url|escapejs }}";
const SHELL_URLS = [{% for url in shell_urls %}"{{ url|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];
// Pages that must never come from a cache: they change with every action.
const NEVER_CACHE = ["/staff/", "/admin/", "/settings/"];
// Posting to these changes who is reading (sign in, sign out, sign up): everything kept for the
// last reader (pages, saved articles; every cache but the app shell) is dropped, so the next one
// on this device never sees it offline.
{% url 'account_login' as login_url %}{% url 'account_logout' as logout_url %}{% url 'account_signup' as signup_url %}{% url 'admin:logout' as admin_logout_url %}const SESSION_CHANGES = ["{{ login_url|escapejs }}", "{{ logout_url|escapejs }}", "{{ signup_url|escapejs }}", "{{ admin_logout_url|escapejs }}"];

// Only what any reader may see is kept. The server marks pages with a member's full text
// "Cache-Control: private, no-store" (gate/web.py); those are never stored here, whatever
// page they are, so a member's article can never be shown from this cache to someone else.
function isShareable(response) {
  if (!response.ok || response.type !== "basic") return false;
  const cacheControl = (response.headers.get("Cache-Control") || "").toLowerCase();
  return !/(^|[\s,])(private|no-store)([\s,=]|$)/.test(cacheControl);
}

function forgetTheReader() {
  return caches.keys().then((names) =>
    Promise.all(
      names.filter((name) => !name.startsWith("newsstand-shell-")).map((name) => caches.delete(name))
    )
  );
}

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL_URLS)));
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((names) =>
      Promise.all(
        names
          .filter((name) => name.startsWith("newsstand-shell-") && name !== SHELL_CACHE)
          .map((name) => caches.delete(name))
      )
    ).then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method !== "GET") {
    if (SESSION_CHANGES.includes(url.pathname)) event.waitUntil(forgetTheReader());
    return;
  }
  if (NEVER_CACHE.some((prefix) => url.pathname.startsWith(prefix))) return;

  if (request.mode === "navigate") {
    // Network first, so readers always get the news when online; the cache is the fallback.
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (url.pathname === HOME_URL && !url.search && isShareable(response)) {
            const copy = response.clone();
            caches.open(PAGES_CACHE).then((cache) => cache.put(HOME_URL, copy));
          }
          return response;
        })
        .catch(() =>
          caches.match(request, { ignoreSearch: false })
            .then((hit) => hit || caches.match(OFFLINE_URL))
        )
    );
    return;
  }

  if (SHELL_URLS.includes(url.pathname)) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});

/* Saved articles offline (personal/). Kept apart from the code above on purpose: its own cache,
   its own listener. Saving or unsaving an article, or opening Saved, brings the "saved" cache in
   line with the reader's latest saved articles (SAVED_SYNC_URL lists them); the offline fallback
   above finds them there, as caches.match looks in every cache. Signing out, or a sync answered
   "signed out", empties it: these copies belong to the reader who saved them. The sync also says
   under which access the copies are fetched ("full" or "teaser"): when that changes, every copy is
   dropped and fetched again, so a member's full text never outlives the membership here. Pages
   tell the worker they were shown (sw-register.js): Saved always syncs, any other page at most
   every SAVED_RESYNC_MS, so an ended membership is noticed even by a reader who never opens Saved
   again. */
const SAVED_CACHE = "newsstand-saved";
const SAVED_URL = "{% url 'personal:saved' %}";
const SAVED_SYNC_URL = "{% url 'personal:saved_offline' %}";
const LOGOUT_URL = "{% url 'account_logout' %}";
// A cache entry, never a real page: the access the kept copies were fetched under.
const SAVED_ACCESS_KEY = new URL("/__newsstand/saved-access", self.location.origin).href;
const SAVED_RESYNC_MS = 5 * 60 * 1000;
let lastSavedSync = 0;

function isSaveForm(url) {
  // POST /saved/<article id>/ (personal:save)
  return url.pathname.startsWith(SAVED_URL) && /^\d+\/$/.test(url.pathname.slice(SAVED_URL.length));
}

function keepOnlyAccess(cache, access) {
  // Copies fetched under another access are dropped before anything else is kept.
  return cache.match(SAVED_ACCESS_KEY)
    .then((marker) => (marker ? marker.text() : null))
    .then((keptAccess) =>
      keptAccess === access
        ? null
        : cache.keys()
            .then((kept) => Promise.all(kept.map((request) => cache.delete(request))))
            .then(() => cache.put(SAVED_ACCESS_KEY, new Response(access)))
    );
}

function syncSaved() {
  lastSavedSync = Date.now();
  return fetch(SAVED_SYNC_URL, { credentials: "same-origin", cache: "no-store" })
    .then((response) => {
      if (!response.ok) return caches.delete(SAVED_CACHE);
      return response.json().then((body) =>
        caches.open(SAVED_CACHE).then((cache) =>
          keepOnlyAccess(cache, body.access || "teaser").then(() => cache.keys()).then((kept) => {
            const wanted = new Set(body.urls.map((path) => new URL(path, self.location.origin).href));
            wanted.add(SAVED_ACCESS_KEY);
            const have = new Set(kept.map((request) => request.url));
            const stale = kept.filter((request) => !wanted.has(request.url));
            // Articles already kept are not fetched again; the Saved list always is.
            const listUrl = new URL(SAVED_URL, self.location.origin).href;
            const missing = [...wanted].filter(
              (href) => href !== SAVED_ACCESS_KEY && (href === listUrl || !have.has(href))
            );
            // "Purpose: prefetch" tells the server this copy is not the reader opening the
            // article (no read counted, no history entry).
            const fresh = missing.map((href) =>
              fetch(href, { credentials: "same-origin", headers: { Purpose: "prefetch" } })
                .then((response) => (response.ok ? cache.put(href, response) : null))
                .catch(() => null)
            );
            return Promise.all([...stale.map((request) => cache.delete(request)), ...fresh]);
          })
        )
      );
    })
    .catch(() => null);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && isSaveForm(url)) {
    const answer = fetch(request);
    event.respondWith(answer);
    // An HTMX save answers 200; a plain form's answer is its redirect (opaque to the worker).
    event.waitUntil(
      answer
        .then((response) => (response.ok || response.type === "opaqueredirect" ? syncSaved() : null))
        .catch(() => null)
    );
  } else if (request.method === "POST" && url.pathname === LOGOUT_URL) {
    event.waitUntil(caches.delete(SAVED_CACHE));
  } else if (request.mode === "navigate" && url.pathname === SAVED_URL && !url.search) {
    event.waitUntil(syncSaved());
  }
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "page-shown") return;
  if (data.path === SAVED_URL) {
    event.waitUntil(syncSaved());
  } else if (Date.now() - lastSavedSync > SAVED_RESYNC_MS) {
    // Only a worker that keeps saved copies has anything to check.
    event.waitUntil(caches.has(SAVED_CACHE).then((has) => (has ? syncSaved() : null)));
  }
});
{% endautoescape %}
