/* Service worker of the survey app, scope /survey/ (rendered by the server with the list of
   versioned static URLs and the shell). The shell and its files answer from the cache at
   once, and the shell is refreshed in the background; the API never goes through a cache:
   the outbox in IndexedDB, not this worker, is what keeps the cadre's work offline. */
"use strict";
var VERSION = {{ version|tojson }};
var ASSETS = {{ assets|tojson }}.map(function (url) { return new URL(url, self.location).href; });
var CACHE = "survey-" + VERSION;
var SCOPE = new URL(self.registration.scope).pathname;
var SHELL = self.registration.scope;

// A redirect (to the sign-in page when the session has expired) or an error page is no shell.
function usable(response) {
  return response && response.ok && !response.redirected && response.type === "basic";
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(ASSETS.map(function (url) {
      // The static URLs carry their content's hash: the copy the page has just loaded from
      // the HTTP cache is the right one, and is not downloaded twice.
      return fetch(new Request(url, { credentials: "same-origin" })).then(function (response) {
        if (!usable(response)) throw new Error(url + ": " + response.status);
        return cache.put(url, response);
      }).catch(function (error) {
        // Keep the previous copy (signed out, or offline) rather than fail the update.
        return caches.match(url).then(function (old) {
          if (!old) throw error;
          return cache.put(url, old);
        });
      });
    }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) {
      return key.indexOf("survey-") === 0 && key !== CACHE;
    }).map(function (key) { return caches.delete(key); }));
  }).then(function () { return self.clients.claim(); }));
});

function refreshShell(cache, request) {
  return fetch(request).then(function (response) {
    if (usable(response)) return cache.put(SHELL, response.clone()).then(function () { return response; });
    return response;
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.indexOf("/api/") === 0) return;
  if (request.mode === "navigate" && url.pathname.indexOf(SCOPE) === 0) {
    event.respondWith(caches.open(CACHE).then(function (cache) {
      // ?lang=… changes the page's language: ask the server first.
      if (url.search) {
        return refreshShell(cache, request).catch(function () { return cache.match(SHELL); });
      }
      return cache.match(SHELL).then(function (cached) {
        if (!cached) return refreshShell(cache, request);
        event.waitUntil(refreshShell(cache, new Request(SHELL, { credentials: "same-origin" }))
          .catch(function () {}));
        return cached;
      });
    }));
    return;
  }
  if (ASSETS.indexOf(url.href) >= 0) {
    event.respondWith(caches.match(request).then(function (cached) { return cached || fetch(request); }));
  }
});
