/* Search-as-you-type: asks for the suggestions fragment as the reader types. Progressive
   enhancement: the search form works without this file; with htmx loaded, its hx-get on the
   same input does the job and this stays out of the way. */
(function () {
  "use strict";
  var DELAY_MS = 200;
  var input = document.querySelector("[data-suggest-url]");
  if (!input || !window.fetch) return;
  var box = document.getElementById(input.getAttribute("aria-controls"));
  if (!box) return;
  var timer = 0;
  var controller = null;

  function clear() { box.innerHTML = ""; }

  function load() {
    if (controller) controller.abort();
    var text = input.value;
    if (text.trim().length < 2) { clear(); return; }
    controller = new AbortController();
    var url = new URL(input.dataset.suggestUrl, window.location.href);
    url.searchParams.set("q", text);
    fetch(url, { signal: controller.signal, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      // The fragment is rendered by our own server with every value escaped.
      .then(function (html) { if (input.value === text) box.innerHTML = html; })
      .catch(function (error) { if (error.name !== "AbortError") clear(); });
  }

  input.addEventListener("input", function () {
    if (window.htmx) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(load, DELAY_MS);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape") clear();
  });
})();
