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
// Posting to these changes who is reading (sign in, sign out, sign up): the pages kept for the
// last reader are dropped, so the next one on this device never sees them offline.
{% url 'account_login' as login_url %}{% url 'account_logout' as logout_url %}{% url 'account_signup' as signup_url %}{% url 'admin:logout' as admin_logout_url %}const SESSION_CHANGES = ["{{ login_url|escapejs }}", "{{ logout_url|escapejs }}", "{{ signup_url|escapejs }}", "{{ admin_logout_url|escapejs }}"];

// Only what any reader may see is kept. The server marks pages with a member's full text
// "Cache-Control: private, no-store" (gate/web.py); those are never stored here, whatever
// page they are, so a member's article can never be shown from this cache to someone else.
function isShareable(response) {
  if (!response.ok || response.type !== "basic") return false;
  const cacheControl = (response.headers.get("Cache-Control") || "").toLowerCase();
  return !/(^|[\s,])(private|no-store)([\s,=]|$)/.test(cacheControl);
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
    if (SESSION_CHANGES.includes(url.pathname)) event.waitUntil(caches.delete(PAGES_CACHE));
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
{% endautoescape %}
