/* The read ledger's tracker, loaded on article pages for members only.
 *
 * A read counts once the article has been *visible* for data-seconds (time in a background tab
 * or a minimised window does not count: Page Visibility API), or once the reader has scrolled
 * past data-scroll of the article body. Then it posts one claim to data-url with the ticket the
 * page was served with; the server checks the ticket and the time since the page was served:
 * every read, a scroll too, takes data-seconds on the server's clock, so a fast scroll waits
 * for it (measured from when this script ran, which is after the server issued the ticket), and
 * a claim the server still finds too early (425) is sent again after its Retry-After.
 * Without JavaScript nothing is measured and nothing is counted (see docs/manual-operator.md).
 */
(() => {
  "use strict";
  const tag = document.currentScript;
  if (!tag || !tag.dataset.ticket || !window.fetch) return;
  const d = tag.dataset;
  const needMs = Number(d.seconds) * 1000;
  const needDepth = Number(d.scroll);
  const body = document.querySelector(d.body) || document.querySelector("article");
  // The ticket was issued before this page reached the browser, so time since now is never
  // more than the server's time since it served the page.
  const startedAt = performance.now();
  const MAX_RETRIES = 2;
  let visibleMs = 0;
  let visibleSince = document.visibilityState === "visible" ? performance.now() : null;
  let timer = null;
  let sent = false;
  let retries = 0;

  const visibleTime = () =>
    visibleMs + (visibleSince === null ? 0 : performance.now() - visibleSince);

  // How far down the body the bottom of the viewport has reached, 0 to 1.
  const depth = () => {
    if (!body) return 0;
    const box = body.getBoundingClientRect();
    if (box.height <= 0) return 0;
    return Math.min(1, Math.max(0, (window.innerHeight - box.top) / box.height));
  };

  const post = (form) => {
    // keepalive: the claim still goes out if the reader leaves the page at that moment.
    fetch(d.url, {
      method: "POST",
      body: form,
      credentials: "same-origin",
      keepalive: true,
      headers: { "X-CSRFToken": d.csrf },
    })
      .then((r) => {
        if (r.status === 425 && retries < MAX_RETRIES) {
          retries += 1;
          const waitS = Number(r.headers.get("Retry-After")) || 1;
          tag.dataset.state = "waiting";
          setTimeout(() => post(form), waitS * 1000 + 250);
          return;
        }
        tag.dataset.state = r.ok ? "recorded" : "refused";
      })
      .catch(() => { tag.dataset.state = "failed"; });
  };

  const send = (via, reached) => {
    if (sent) return;
    sent = true;
    clearTimeout(timer);
    window.removeEventListener("scroll", onScroll);
    document.removeEventListener("visibilitychange", onVisibility);
    const form = new URLSearchParams({ article: d.article, ticket: d.ticket, via: via });
    if (via === "scroll") form.set("depth", reached.toFixed(3));
    // A scroll can come before the reading time has passed: the claim waits for it.
    const early = needMs - (performance.now() - startedAt);
    if (early > 0) {
      tag.dataset.state = "waiting";
      setTimeout(() => post(form), early + 250);
    } else {
      post(form);
    }
  };

  const arm = () => {
    clearTimeout(timer);
    if (sent || visibleSince === null) return;
    timer = setTimeout(check, Math.max(0, needMs - visibleTime()) + 50);
  };

  const check = () => {
    if (visibleTime() >= needMs) send("time");
    else arm();
  };

  // Only a real scroll counts: a short article that fits the screen is read by time instead.
  let pending = false;
  const onScroll = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      const reached = depth();
      if (document.visibilityState === "visible" && reached >= needDepth) send("scroll", reached);
    });
  };

  const onVisibility = () => {
    if (document.visibilityState === "visible") {
      if (visibleSince === null) visibleSince = performance.now();
    } else if (visibleSince !== null) {
      visibleMs += performance.now() - visibleSince;
      visibleSince = null;
    }
    arm();
  };

  window.addEventListener("scroll", onScroll, { passive: true });
  document.addEventListener("visibilitychange", onVisibility);
  arm();
})();
