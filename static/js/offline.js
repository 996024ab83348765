/* Progressive enhancement for weak connections: save a course for offline reading, and
   queue "mark as done" while offline, sending it (once) when the connection returns.
   Without JavaScript every page works as before. */
(function () {
  "use strict";
  var QUEUE = "lms-offline-queue";
  var texts = document.querySelector("header.site");  // translated messages, set by the page
  var text = function (name) { return (texts && texts.getAttribute("data-text-" + name)) || name; };

  function banner(message, kind) {
    var box = document.getElementById("offline-banner");
    if (!box) {
      box = document.createElement("p");
      box.id = "offline-banner";
      box.setAttribute("role", "status");
      var main = document.getElementById("main");
      main.insertBefore(box, main.firstChild);
    }
    box.className = "flash flash-" + (kind || "warning");
    box.textContent = message;
  }

  function showOfflineState() {
    if (!navigator.onLine) { banner(text("offline")); }
  }

  function readQueue() {
    try { return JSON.parse(localStorage.getItem(QUEUE) || "[]"); } catch (e) { return []; }
  }
  function writeQueue(items) { localStorage.setItem(QUEUE, JSON.stringify(items)); }

  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return String(Date.now()) + "-" + Math.random().toString(16).slice(2);
  }

  function flush() {
    var items = readQueue();
    if (!items.length || !navigator.onLine) { return Promise.resolve(); }
    var synced = [];
    return items.reduce(function (chain, item) {
      return chain.then(function () {
        return fetch("/sync/lesson-done", {
          method: "POST", credentials: "same-origin",
          headers: {"Content-Type": "application/json", "X-LMS-Sync": "1"},
          body: JSON.stringify(item)
        }).then(function (response) {
          if (response.ok) {
            synced.push(item.title || item.lesson);
            writeQueue(readQueue().filter(function (other) { return other.key !== item.key; }));
          }
        }).catch(function () { /* still offline: keep it queued */ });
      });
    }, Promise.resolve()).then(function () {
      if (synced.length) { banner(text("synced") + " " + synced.join(", "), "success"); }
    });
  }

  function queueMark(form) {
    var items = readQueue();
    items.push({key: newKey(), course: form.getAttribute("data-course"), lesson: form.getAttribute("data-lesson"),
                title: form.getAttribute("data-title")});
    writeQueue(items);
    banner(text("queued"), "info");
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.classList && form.classList.contains("mark-done") && !navigator.onLine) {
      event.preventDefault();
      queueMark(form);
    }
  });

  function saveCourse(button) {
    var slug = button.getAttribute("data-course");
    var status = document.querySelector(".offline-status");
    status.textContent = text("saving");
    fetch("/courses/" + encodeURIComponent(slug) + "/offline.json", {credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (data) {
        return caches.open("lms-course-" + slug).then(function (cache) {
          return Promise.all(data.urls.map(function (url) {
            return fetch(url, {credentials: "same-origin"}).then(function (response) {
              if (response.ok) { return cache.put(url, response); }
            });
          })).then(function () { return data.urls.length; });
        });
      })
      .then(function (count) { status.textContent = text("saved") + " (" + count + ")"; })
      .catch(function () { status.textContent = text("save-failed"); });
  }

  if ("serviceWorker" in navigator && "caches" in window) {
    navigator.serviceWorker.register("/sw.js").catch(function () {});
    var button = document.querySelector(".offline-save");
    if (button) {
      button.hidden = false;
      button.addEventListener("click", function () { saveCourse(button); });
    }
  }
  window.addEventListener("offline", showOfflineState);
  window.addEventListener("online", function () {
    var box = document.getElementById("offline-banner");
    if (box) { box.remove(); }
    flush();
  });
  showOfflineState();
  flush();
}());
