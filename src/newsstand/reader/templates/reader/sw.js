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
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (NEVER_CACHE.some((prefix) => url.pathname.startsWith(prefix))) return;

  if (request.mode === "navigate") {
    // Network first, so readers always get the news when online; the cache is the fallback.
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok && url.pathname === HOME_URL && !url.search) {
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
{% endautoescape %}
