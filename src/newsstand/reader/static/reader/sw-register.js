/* Registers the service worker (offline reading, installing); every page works without it.
   Each page then tells the worker it was shown, so the saved articles kept offline are brought in
   line (always on Saved, now and then elsewhere): Chromium does not always hand navigations to a
   worker's fetch handler, so the worker cannot rely on seeing them. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!("serviceWorker" in navigator) || !script) return;
  var url = script.getAttribute("data-sw");
  window.addEventListener("load", function () {
    navigator.serviceWorker.register(url).catch(function () { /* offline support is optional */ });
    if (!navigator.onLine) return;
    navigator.serviceWorker.ready.then(function (registration) {
      var worker = navigator.serviceWorker.controller || registration.active;
      if (worker) worker.postMessage({ type: "page-shown", path: location.pathname });
    });
  });
})();
