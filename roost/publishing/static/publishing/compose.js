/* Compose: show a channel's variant box only while the channel is chosen. */
(function () {
  "use strict";
  if (window.roostCompose) { return; }
  window.roostCompose = true;
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof Element) || !box.hasAttribute("data-channel-toggle")) { return; }
    var variant = document.querySelector('[data-variant-for="' + box.getAttribute("data-channel-toggle") + '"]');
    if (variant) { variant.hidden = !box.checked; }
  });
})();
