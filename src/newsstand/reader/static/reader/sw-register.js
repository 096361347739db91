/* Registers the service worker (offline reading, installing); every page works without it. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!("serviceWorker" in navigator) || !script) return;
  var url = script.getAttribute("data-sw");
  window.addEventListener("load", function () {
    navigator.serviceWorker.register(url).catch(function () { /* offline support is optional */ });
  });
})();
