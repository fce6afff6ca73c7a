/* Small behaviours every page may use, declared with data attributes instead of inline
   event handlers (the Content-Security-Policy allows no inline script):
   - <form data-confirm="Question?">: asks before submitting; "Cancel" sends nothing.
   - <select data-autosubmit>: submits its form when the choice changes.
   - <input data-select-on-focus>: selects its whole value on focus (easy to copy).
   - <input type="file" data-max-bytes="N" data-too-big="… %(name)s …">: a file over N bytes
     is named (in the element with id "<input id>-too-big") and not sent: a server stops a
     huge upload by closing the connection, which a browser shows as a reset. */
(function () {
  "use strict";
  if (window.roostBehaviours) { return; }
  window.roostBehaviours = true;
  // Capture phase: runs before htmx or any listener on the form itself.
  function tooBig(input) {
    var max = parseInt(input.getAttribute("data-max-bytes"), 10);
    var files = input.files || [];
    var found = null;
    for (var i = 0; i < files.length; i++) { if (files[i].size > max) { found = files[i]; } }
    var text = found ? input.getAttribute("data-too-big").replace("%(name)s", found.name) : "";
    input.setCustomValidity(text);
    var box = document.getElementById(input.id + "-too-big");
    if (box) { box.textContent = text; box.hidden = !text; }
    return found !== null;
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) { return; }
    var inputs = form.querySelectorAll("input[type=file][data-max-bytes]");
    for (var i = 0; i < inputs.length; i++) {
      if (tooBig(inputs[i])) {
        event.preventDefault();
        event.stopImmediatePropagation();
        inputs[i].focus();
        return;
      }
    }
  }, true);
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) { return; }
    if (!window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el instanceof HTMLInputElement && el.type === "file" && el.hasAttribute("data-max-bytes")) {
      tooBig(el);
    }
    if (el instanceof Element && el.hasAttribute("data-autosubmit") && el.form) { el.form.submit(); }
  });
  document.addEventListener("focusin", function (event) {
    var el = event.target;
    if (el instanceof HTMLInputElement && el.hasAttribute("data-select-on-focus")) { el.select(); }
  });
})();
