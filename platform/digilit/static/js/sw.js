// The service worker, served at /sw.js by offline.py, which puts one line before this file:
//   var VERSION = "...", ASSETS = ["/static/css/site.css?v=...", ...], OFFLINE = "/offline";
// Pages: network first; course and lesson pages are kept for reading offline (PAGES, filled
// here and by app.js); anything else falls back to the offline page. Static files: cache first
// (their addresses carry a content hash). Quiz answers that cannot be sent are kept in
// IndexedDB; app.js sends them when the connection is back (the server records one attempt per
// form token, so sending twice is harmless). Nothing is kept from POST responses, and the
// kept pages and answers are removed when someone signs in, registers, signs out or deletes
// their account.
/* global VERSION, ASSETS, OFFLINE */
"use strict";
var CORE = "digilit-core-" + VERSION;
var PAGES = "digilit-pages";
var KEPT = /^\/courses\/[^/]+(\/lessons\/[^/]+)?$/;
var QUIZ = /^\/courses\/[^/]+\/quiz$/;
var SESSION_CHANGE = /^\/(auth\/(login|logout|register)|me\/delete)$/; // then kept data is forgotten
var PATIENCE_MS = 4000; // then a kept copy is shown while the network goes on trying

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CORE).then(function (cache) {
    // Signed out on purpose: the offline page may be shown to whoever uses the phone next.
    return cache.addAll([new Request(OFFLINE, { credentials: "omit" })].concat(ASSETS));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("digilit-core-") === 0 && name !== CORE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function pageKey(url) { return url.origin + url.pathname; }

function offlinePage() {
  return caches.match(OFFLINE, { ignoreSearch: true, ignoreVary: true }).then(function (hit) {
    return hit || new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain" } });
  });
}

function networkFirst(event, url) {
  var storing = null;
  var network = fetch(event.request).then(function (response) {
    if (KEPT.test(url.pathname) && response.ok && response.type === "basic" && !response.redirected) {
      var copy = response.clone(); // before the page reads the body
      storing = caches.open(PAGES).then(function (cache) { return cache.put(pageKey(url), copy); });
    }
    return response;
  });
  // Keep the worker alive until the copy is stored, even when a kept page was shown first.
  event.waitUntil(network.then(function () { return storing; }).catch(function () {}));
  var kept = caches.match(pageKey(url), { cacheName: PAGES, ignoreVary: true });
  var slow = new Promise(function (resolve) {
    setTimeout(function () { kept.then(function (hit) { if (hit) { resolve(hit); } }); }, PATIENCE_MS);
  });
  var answer = network.catch(function () {
    return kept.then(function (hit) { return hit || offlinePage(); });
  });
  return Promise.race([answer, slow]);
}

function cacheFirst(event) {
  return caches.match(event.request, { ignoreVary: true }).then(function (hit) {
    if (hit) { return hit; }
    return fetch(event.request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        event.waitUntil(caches.open(CORE).then(function (cache) { return cache.put(event.request, copy); }));
      }
      return response;
    }).catch(function () {
      // An older page kept offline may name an older version of a file: give the current one.
      return caches.match(event.request, { ignoreSearch: true, ignoreVary: true }).then(function (old) {
        return old || Response.error();
      });
    });
  });
}

// --- quiz answers kept in IndexedDB (the same store as in app.js) ---
function outbox(mode, work) {
  return new Promise(function (resolve, reject) {
    var open = indexedDB.open("digilit", 1);
    open.onupgradeneeded = function () { open.result.createObjectStore("outbox", { autoIncrement: true }); };
    open.onerror = function () { reject(open.error); };
    open.onsuccess = function () {
      var tx = open.result.transaction("outbox", mode);
      work(tx.objectStore("outbox"));
      tx.oncomplete = function () { open.result.close(); resolve(); };
      tx.onerror = function () { open.result.close(); reject(tx.error); };
    };
  });
}

function sendOrKeep(request) {
  var copy = request.clone();
  return fetch(request).catch(function () {
    return copy.text().then(function (body) {
      return outbox("readwrite", function (store) { store.add({ url: copy.url, body: body, at: Date.now() }); });
    }).then(function () { return Response.redirect(OFFLINE + "?saved=1", 303); });
  });
}

function forgetUserData() {
  return Promise.all([caches.delete(PAGES), outbox("readwrite", function (store) { store.clear(); })]);
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method === "POST") {
    if (request.mode === "navigate" && QUIZ.test(url.pathname)) {
      event.respondWith(sendOrKeep(request));
    } else if (request.mode === "navigate" && SESSION_CHANGE.test(url.pathname)) {
      event.respondWith(fetch(request).then(function (response) {
        return forgetUserData().then(function () { return response; }, function () { return response; });
      }));
    }
    return;
  }
  if (request.method !== "GET") { return; }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(cacheFirst(event));
  } else if (request.mode === "navigate") {
    event.respondWith(networkFirst(event, url));
  }
});
