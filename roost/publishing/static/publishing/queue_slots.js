// Queue slots on a channel's settings page: "Add a slot" appends an empty row (a copy of the
// formset's empty form) and counts it in TOTAL_FORMS. Without JavaScript, saving adds one.
(function () {
  "use strict";
  const box = document.getElementById("queue-slots");
  if (!box) return;
  const rows = box.querySelector("[data-slot-rows]");
  const template = box.querySelector("template[data-slot-template]");
  const total = box.querySelector('input[name="slots-TOTAL_FORMS"]');
  const add = box.querySelector("[data-add-slot]");
  if (!rows || !template || !total || !add) return;
  add.hidden = false;
  add.addEventListener("click", function () {
    const index = parseInt(total.value, 10) || 0;
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const added = rows.lastElementChild;
    const first = added && added.querySelector("select");
    if (first) first.focus();
  });
  // "Add this slot" beside a suggested time: a new row with its day and time filled in.
  box.querySelectorAll("[data-suggest-slot]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      add.click();
      const added = rows.lastElementChild;
      if (!added) return;
      const day = added.querySelector("select");
      const time = added.querySelector('input[type="time"]');
      if (day) day.value = button.getAttribute("data-weekday");
      if (time) time.value = button.getAttribute("data-time");
    });
  });
})();
