/* Compose:
   - a channel's own text and thread boxes show only while the channel is ticked;
   - an image dropped on the page is uploaded at once (the file field and its
     "Upload image" button do the same without a mouse), without leaving the page;
   - once uploaded, its picker entry arrives ticked and the preview is refreshed.
   The preview and counters themselves come from the server (htmx, compose_preview). */
(function () {
  "use strict";
  if (window.roostCompose) { return; }
  window.roostCompose = true;

  function composeForm() { return document.getElementById("compose"); }
  function uploadForm() { return document.getElementById("compose-upload"); }
  function refreshPreview() {
    var form = composeForm();
    if (form && window.htmx) { window.htmx.trigger(form, "change"); }
  }

  // A suggested time fills the time field and picks "Schedule at" (the link itself opens
  // compose with the time, for a new post without JavaScript).
  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("[data-suggest-at]") : null;
    var form = composeForm();
    if (!link || !form) { return; }
    var field = form.querySelector('[name="scheduled_at"]');
    var mode = form.querySelector('[name="mode"][value="at"]');
    if (!field) { return; }
    event.preventDefault();
    field.value = link.getAttribute("data-suggest-at");
    if (mode) { mode.checked = true; }
    field.dispatchEvent(new Event("change", { bubbles: true }));
    field.focus();
  });

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof Element) || !box.hasAttribute("data-channel-toggle")) { return; }
    var variant = document.querySelector('[data-variant-for="' + box.getAttribute("data-channel-toggle") + '"]');
    if (variant) { variant.hidden = !box.checked; }
  });

  // The upload form's own fields are not part of the post: their changes do not preview.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el instanceof Element && el.getAttribute("form") === "compose-upload") {
      event.stopPropagation();
    }
  }, true);
  document.addEventListener("input", function (event) {
    var el = event.target;
    if (el instanceof Element && el.getAttribute("form") === "compose-upload") {
      event.stopPropagation();
    }
  }, true);

  // Files dropped anywhere on the page are uploaded (a browser would otherwise open the
  // file in place of compose, losing the draft); text dropped into a box stays text.
  function hasFiles(event) {
    var types = event.dataTransfer ? event.dataTransfer.types : null;
    return !!types && Array.prototype.indexOf.call(types, "Files") !== -1;
  }
  function zone() { return document.querySelector("[data-drop-zone]"); }
  document.addEventListener("dragover", function (event) {
    if (!hasFiles(event) || !zone()) { return; }
    event.preventDefault();
    zone().classList.add("drop-active");
  });
  document.addEventListener("dragleave", function (event) {
    if (zone() && !event.relatedTarget) { zone().classList.remove("drop-active"); }
  });
  document.addEventListener("drop", function (event) {
    if (!hasFiles(event) || !zone()) { return; }
    event.preventDefault();
    zone().classList.remove("drop-active");
    var files = event.dataTransfer.files;
    var input = document.querySelector("[data-upload-file]");
    var form = uploadForm();
    if (!files.length || !input || !form) { return; }
    var one = new DataTransfer();
    one.items.add(files[0]);
    input.files = one.files;
    form.requestSubmit();
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = uploadForm();
    if (!form || event.detail.elt !== form) { return; }
    if (event.detail.xhr && event.detail.xhr.status === 200) {
      document.querySelectorAll('[form="compose-upload"]').forEach(function (el) {
        if (el instanceof HTMLInputElement) { el.value = ""; }
      });
      var errors = document.getElementById("upload-errors");
      if (errors) { errors.textContent = ""; }
      refreshPreview();
    }
  });
})();
