/* Inbox keys: j/k move through the list, e completes, a assigns, r replies; clicking an
   item marks it current; a saved reply is inserted at the cursor; typing tells presence.
   Ticking items shows the bulk bar; a list that reloads (new items, an action) keeps the
   ticks and the open conversation marked. */
(function () {
  "use strict";
  if (window.roostInbox) { return; }
  window.roostInbox = true;
  function items() { return Array.prototype.slice.call(document.querySelectorAll("#inbox-list [data-item]")); }
  function typing(el) { return el && el.closest && el.closest("input, textarea, select, [contenteditable]"); }
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target)) return;
    var list = items(), cur = list.findIndex(function (a) { return a.getAttribute("aria-current") === "true"; });
    var el = null;
    if (ev.key === "j" || ev.key === "k") {
      el = list[cur < 0 ? 0 : Math.max(0, Math.min(list.length - 1, cur + (ev.key === "j" ? 1 : -1)))];
      if (el) { el.click(); el.focus(); }
    } else if (ev.key === "e") {
      el = document.getElementById("complete-form"); if (el) el.requestSubmit();
    } else if (ev.key === "a") {
      el = document.getElementById("assign_assignee"); if (el) el.focus();
    } else if (ev.key === "r") {
      el = document.getElementById("reply_text"); if (el) el.focus();
    }
    if (el) ev.preventDefault();
  });
  document.addEventListener("click", function (ev) {
    var item = ev.target.closest("[data-item]");
    if (item) { items().forEach(function (a) { a.removeAttribute("aria-current"); }); item.setAttribute("aria-current", "true"); }
    var saved = ev.target.closest("[data-insert]"), box = document.getElementById("reply_text");
    if (saved && box) {
      var at = box.selectionStart || box.value.length;
      box.value = box.value.slice(0, at) + saved.dataset.insert + box.value.slice(box.selectionEnd || at);
      box.focus(); box.dispatchEvent(new Event("input", { bubbles: true }));
    }
  });
  var picked = {};
  function picks() { return Array.prototype.slice.call(document.querySelectorAll("#inbox-list [data-pick]")); }
  function showBar() {
    var bar = document.getElementById("bulk-form");
    if (!bar) return;
    var n = Object.keys(picked).length, count = bar.querySelector("[data-bulk-count]");
    bar.hidden = n === 0;
    if (count) count.textContent = n === 1 ? count.dataset.one : count.dataset.many.replace("%(n)s", n);
  }
  function restore() {
    var pane = document.getElementById("pane"), current = pane && pane.dataset.message;
    items().forEach(function (a) {
      if (current && a.dataset.id === current) a.setAttribute("aria-current", "true");
    });
    var present = {};
    picks().forEach(function (box) { present[box.value] = true; box.checked = !!picked[box.value]; });
    // A ticked item the list no longer shows (completed, filtered out) is not acted on.
    Object.keys(picked).forEach(function (id) { if (!present[id]) delete picked[id]; });
    showBar();
  }
  document.addEventListener("change", function (ev) {
    var box = ev.target.closest && ev.target.closest("[data-pick]");
    if (!box) return;
    if (box.checked) picked[box.value] = true; else delete picked[box.value];
    showBar();
  });
  document.addEventListener("click", function (ev) {
    if (!ev.target.closest("[data-bulk-clear]")) return;
    picked = {}; restore();
  });
  document.body.addEventListener("inbox-bulk-done", function () { picked = {}; });
  document.body.addEventListener("htmx:afterSwap", function (ev) {
    var target = ev.detail && ev.detail.target;
    if (target && target.id === "inbox-list") restore();
    // The tab's title counts what waits above the list: "(3) Inbox · Roost".
    if (target && (target.id === "inbox-new" || target.id === "inbox-list")) {
      var bar = document.querySelector("#inbox-new [data-count]"), base = document.title.replace(/^\(\d+\) /, "");
      document.title = bar ? "(" + bar.dataset.count + ") " + base : base;
    }
    // On a phone the conversation replaces the list: start at its top, not mid-page.
    if (target && target.id === "pane" && ev.detail.requestConfig && ev.detail.requestConfig.verb === "get"
        && window.matchMedia("(max-width: 640px)").matches) {
      var pane = document.getElementById("pane");
      if (pane) pane.scrollIntoView({ block: "start" });
    }
  });
  document.body.addEventListener("htmx:afterSettle", function () {
    if (document.getElementById("inbox-list")) restore();
  });
  document.addEventListener("input", function (ev) {
    if (ev.target.id === "reply_text") { var s = document.getElementById("presence-state"); if (s) s.value = ev.target.value ? "typing" : "viewing"; }
  });
})();
