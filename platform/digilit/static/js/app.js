// Enhancements only: every page works without this file.
// 1. Registers the service worker (/sw.js) and keeps the signed-in learner's lessons offline.
// 2. Quiz answers given offline are kept on the phone and sent when the connection is back.
// 3. Forgets kept pages and answers when someone signs in, registers, signs out or deletes
//    their account (forms marked data-offline-clear).
// 4. "Read aloud" on lessons, where the browser has a voice for the page's language.
(function () {
  "use strict";
  var PAGES = "digilit-pages";
  var SYNCED = "digilit-offline-synced";
  var LANG = "digilit-offline-lang";
  var DAY_MS = 864e5;
  var $ = function (selector) { return document.querySelector(selector); };
  var signedIn = !!$("form[data-offline-clear][action$='/auth/logout']");
  var store = window.localStorage;

  function show(el) { if (el) { el.hidden = false; } }

  // --- quiz answers kept in IndexedDB (the same store as in sw.js) ---
  function outbox(mode, work) {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) { reject(new Error("no IndexedDB")); return; }
      var open = indexedDB.open("digilit", 1);
      open.onupgradeneeded = function () { open.result.createObjectStore("outbox", { autoIncrement: true }); };
      open.onerror = function () { reject(open.error); };
      open.onsuccess = function () {
        var tx = open.result.transaction("outbox", mode), result = [];
        work(tx.objectStore("outbox"), result);
        tx.oncomplete = function () { open.result.close(); resolve(result); };
        tx.onerror = function () { open.result.close(); reject(tx.error); };
      };
    });
  }
  function keptAnswers() {
    return outbox("readonly", function (os, result) {
      os.openCursor().onsuccess = function (e) {
        var cursor = e.target.result;
        if (cursor) { result.push({ key: cursor.key, value: cursor.value }); cursor.continue(); }
      };
    });
  }
  function forget(key) { return outbox("readwrite", function (os) { os.delete(key); }); }

  var sending = false;
  function sendKept() {
    if (sending || navigator.onLine === false || !window.fetch) { return; }
    sending = true;
    var recorded = null, refused = false;
    keptAnswers().then(function (entries) {
      if (entries.length) { show($("#outbox-sending")); }
      return entries.reduce(function (done, entry) {
        return done.then(function () {
          return fetch(entry.value.url, {
            method: "POST", body: entry.value.body, credentials: "same-origin",
            headers: { "Content-Type": "application/x-www-form-urlencoded" }
          }).then(function (response) {
            // Recorded (now or before): the server sends the attempt's result page.
            if (/\/attempts\/\d+$/.test(new URL(response.url).pathname)) { recorded = response.url; }
            else { refused = true; }
            return forget(entry.key);
          }, function () { /* still no connection: kept for the next try */ });
        });
      }, Promise.resolve());
    }).then(function () {
      sending = false;
      var note = $("#outbox-sending");
      if (note) { note.hidden = true; }
      if (recorded) { window.location.assign(recorded); } else if (refused) { show($("#outbox-failed")); }
    }, function () { sending = false; });
  }

  // --- offline reading ---
  function keepPages() {
    // Once a day, and after signing in or starting a course: only pages not yet kept are fetched.
    if (!window.caches || !window.fetch || navigator.onLine === false) { return; }
    if (navigator.connection && navigator.connection.saveData) { return; }
    var last = Number(store && store.getItem(SYNCED)) || 0;
    if (Date.now() - last < DAY_MS) { return; }
    fetch("/offline/pages.json", { credentials: "same-origin" }).then(function (response) {
      var json = response.ok && /json/.test(response.headers.get("Content-Type") || "");
      return json ? response.json() : { pages: [] };
    }).then(function (data) {
      return caches.open(PAGES).then(function (cache) {
        return (data.pages || []).reduce(function (done, path) {
          var key = location.origin + path;
          return done.then(function () { return cache.match(key, { ignoreVary: true }); }).then(function (hit) {
            if (hit) { return null; }
            return fetch(path, { credentials: "same-origin" }).then(function (response) {
              if (response.ok && !response.redirected) { return cache.put(key, response); }
              return null;
            });
          });
        }, Promise.resolve());
      });
    }).then(function () {
      if (store) { store.setItem(SYNCED, String(Date.now())); }
    }, function () { /* try again on another page */ });
  }

  function keepOfflinePageInThisLanguage() {
    // The worker keeps the offline page in one language; keep it in the one being read.
    var lang = document.documentElement.lang;
    if (!store || navigator.onLine === false) { return; }
    caches.keys().then(function (names) {
      var core = names.filter(function (n) { return n.indexOf("digilit-core-") === 0; })[0];
      if (!core || store.getItem(LANG) === core + ":" + lang) { return null; }
      return fetch("/offline?lang=" + encodeURIComponent(lang), { credentials: "omit" }).then(function (response) {
        if (!response.ok) { return null; }
        return caches.open(core).then(function (cache) {
          return cache.put(location.origin + "/offline", response);
        }).then(function () { store.setItem(LANG, core + ":" + lang); });
      });
    }).catch(function () {});
  }

  function listKeptPages() {
    var section = $("#offline-pages");
    if (!section || !window.caches) { return; }
    caches.open(PAGES).then(function (cache) { return cache.keys(); }).then(function (requests) {
      return Promise.all(requests.slice(0, 60).map(function (request) {
        return caches.match(request, { ignoreVary: true }).then(function (r) { return r.text(); }).then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var h1 = doc.querySelector("h1");
          return { url: new URL(request.url).pathname, title: h1 ? h1.textContent.trim() : request.url };
        });
      }));
    }).then(function (pages) {
      if (!pages.length) { return; }
      pages.sort(function (a, b) { return a.url < b.url ? -1 : 1; });
      var list = section.querySelector("ul");
      pages.forEach(function (page) {
        var a = document.createElement("a"), li = document.createElement("li");
        a.href = page.url;
        a.textContent = page.title;
        li.appendChild(a);
        list.appendChild(li);
      });
      show(section);
    }).catch(function () {});
  }

  function forgetUserData() {
    var work = [outbox("readwrite", function (os) { os.clear(); }).catch(function () {})];
    if (window.caches) { work.push(caches.delete(PAGES)); }
    if (store) { store.removeItem(SYNCED); }
    return Promise.all(work);
  }

  // --- forms ---
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("form.quiz") && navigator.onLine === false) {
      event.preventDefault();
      var body = new URLSearchParams(new FormData(form)).toString();
      outbox("readwrite", function (os) { os.add({ url: form.action, body: body, at: Date.now() }); }).then(function () {
        var note = $("#quiz-saved");
        show(note);
        if (note) { note.focus(); }
      }, function () { show($("#quiz-not-saved")); });
    } else if (form.matches("form[action$='/enroll']")) {
      if (store) { store.removeItem(SYNCED); } // the new course's lessons are kept on the next page
    } else if (form.hasAttribute("data-offline-clear")) {
      // Signing in, registering, signing out, deleting the account: what is kept on this
      // phone for the person before is forgotten first (the worker does it again afterwards).
      if (store) { store.removeItem(SYNCED); }
      if (form.cleared || navigator.onLine === false || event.defaultPrevented) { return; }
      event.preventDefault();
      var submitter = event.submitter || null;
      var go = function () {
        form.cleared = true;
        // (Not form.submit(): WTForms names its button "submit", which hides the method.)
        if (form.requestSubmit) { form.requestSubmit(submitter); } else { HTMLFormElement.prototype.submit.call(form); }
      };
      forgetUserData().then(go, go);
    }
  });

  // --- read aloud ---
  function readAloud() {
    var button = $("#read-aloud"), article = $("article.lesson");
    var synth = window.speechSynthesis;
    if (!button || !article || !synth || !window.SpeechSynthesisUtterance) { return; }
    var lang = (article.getAttribute("lang") || document.documentElement.lang || "vi").toLowerCase();
    var base = lang.split("-")[0], label = button.textContent, voice = null;
    function pick() {
      voice = synth.getVoices().filter(function (v) {
        return (v.lang || "").toLowerCase().replace("_", "-").indexOf(base) === 0;
      })[0] || null;
      button.hidden = !voice;
    }
    function reset() { button.textContent = label; }
    pick();
    synth.addEventListener("voiceschanged", pick);
    button.addEventListener("click", function () {
      if (synth.speaking || synth.pending) { synth.cancel(); reset(); return; }
      var title = $("h1");
      var parts = [title ? title.textContent : ""].concat(article.innerText.split(/\n+/));
      parts = parts.map(function (p) { return p.trim(); }).filter(Boolean);
      parts.forEach(function (text, i) {
        var utterance = new SpeechSynthesisUtterance(text);
        utterance.lang = lang;
        if (voice) { utterance.voice = voice; }
        if (i === parts.length - 1) { utterance.onend = reset; utterance.onerror = reset; }
        synth.speak(utterance);
      });
      button.textContent = button.getAttribute("data-stop");
    });
    window.addEventListener("pagehide", function () { synth.cancel(); });
  }

  readAloud();
  listKeptPages();
  if ($("#offline-saved")) {
    keptAnswers().then(function (entries) { if (entries.length) { show($("#offline-saved")); } }, function () {});
  }
  if ("serviceWorker" in navigator && window.caches) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
    navigator.serviceWorker.ready.then(keepOfflinePageInThisLanguage);
  }
  if (signedIn) { keepPages(); }
  if (window.indexedDB) {
    sendKept();
    window.addEventListener("online", sendKept);
  }
})();
