/* Service worker: pages go to the network first; when it fails, a page the learner saved
   for offline reading is served from the device. Nothing is cached unless saved. */
self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });
self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) { return; }
  event.respondWith(
    fetch(request).catch(function () {
      return caches.match(request, {ignoreVary: true}).then(function (saved) {
        return saved || new Response("Offline, and this page was not saved on this device.",
          {status: 503, headers: {"Content-Type": "text/plain; charset=utf-8"}});
      });
    })
  );
});
