/* Keyboard shortcuts for lists: j/k move between cards, o opens one, s saves the selected card
   (or the article being read), ? lists the shortcuts.
   Progressive enhancement: without this file every page works with Tab and Enter. */
(function () {
  "use strict";
  var CURRENT = "card--current";
  var current = -1;

  function cards() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-shortcuts='cards'] .card"));
  }

  function isTyping(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function select(index) {
    var list = cards();
    if (!list.length) return;
    if (current < 0) {
      // Start from the card holding focus, if any, so Tab and j/k agree.
      current = list.findIndex(function (card) { return card.contains(document.activeElement); });
    }
    index = Math.max(0, Math.min(list.length - 1, index));
    list.forEach(function (card) { card.classList.remove(CURRENT); });
    var card = list[index];
    card.classList.add(CURRENT);
    var link = card.querySelector(".card__title a");
    if (link) link.focus({ preventScroll: true });
    card.scrollIntoView({ block: "nearest" });
    current = index;
  }

  function open() {
    var card = cards()[current];
    var link = card && card.querySelector(".card__title a");
    if (link) window.location.assign(link.href);
  }

  function save() {
    // The selected card's Save button, else the article page's: a click submits its form (HTMX
    // swaps the button in place; without HTMX the form posts and comes back). Signed out, the
    // control is a link to sign in, and the click follows it.
    var list = cards();
    var card = current >= 0 ? list[current]
      : list.filter(function (c) { return c.contains(document.activeElement); })[0];
    var button = card ? card.querySelector("[data-save-button]")
      : document.querySelector(".article [data-save-button]");
    if (!button) return false;
    button.click();
    return true;
  }

  function help() {
    var dialog = document.getElementById("shortcuts-help");
    if (dialog && typeof dialog.showModal === "function" && !dialog.open) dialog.showModal();
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target)) return;
    var dialog = document.getElementById("shortcuts-help");
    if (dialog && dialog.open) return;
    switch (event.key) {
      case "j": select(current + 1); break;
      case "k": select(current < 0 ? 0 : current - 1); break;
      case "o": if (current < 0) return; open(); break;
      case "s": if (!save()) return; break;
      case "?": help(); break;
      default: return;
    }
    event.preventDefault();
  });

  document.addEventListener("focusin", function (event) {
    // Tabbing away from a card drops the highlight, so two cards never look current.
    var list = cards();
    var index = list.findIndex(function (card) { return card.contains(event.target); });
    if (index !== current && current >= 0) {
      list.forEach(function (card) { card.classList.remove(CURRENT); });
      current = index;
      if (index >= 0) list[index].classList.add(CURRENT);
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    // "Older" appended the next page and removed the pager link that had focus: move focus to
    // the first new article, so keyboard and screen-reader users continue where the list grew.
    var list = document.querySelector("ol.cards[data-appended='new']");
    if (!list) return;
    list.setAttribute("data-appended", "shown");
    var link = list.querySelector(".card__title a");
    if (link) link.focus();
  });
})();
