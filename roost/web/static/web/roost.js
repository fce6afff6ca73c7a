/* Small behaviours every page may use, declared with data attributes instead of inline
   event handlers (the Content-Security-Policy allows no inline script):
   - <form data-confirm="Question?">: asks before submitting; "Cancel" sends nothing.
   - <select data-autosubmit>: submits its form when the choice changes.
   - <input data-select-on-focus>: selects its whole value on focus (easy to copy). */
(function () {
  "use strict";
  if (window.roostBehaviours) { return; }
  window.roostBehaviours = true;
  // Capture phase: runs before htmx or any listener on the form itself.
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
    if (el instanceof Element && el.hasAttribute("data-autosubmit") && el.form) { el.form.submit(); }
  });
  document.addEventListener("focusin", function (event) {
    var el = event.target;
    if (el instanceof HTMLInputElement && el.hasAttribute("data-select-on-focus")) { el.select(); }
  });
})();
