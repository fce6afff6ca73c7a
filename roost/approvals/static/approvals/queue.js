/* Approve from the queue: a refused approval (403, 409, 422) replaces its row with the
   reason, instead of htmx dropping the answer. Only for forms marked data-swap-errors. */
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    var elt = event.detail.elt;
    var status = event.detail.xhr.status;
    if (elt instanceof Element && elt.closest("[data-swap-errors]") && status >= 400 && status < 500) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
