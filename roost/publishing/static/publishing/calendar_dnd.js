/* Drag a post card onto a day (month) or a day and hour (week): an htmx POST to the card's
   move address; the answer is the calendar again, or the reason it did not move. */
(function () {
  if (window.roostCalendarDnd) { return; }
  window.roostCalendarDnd = true;
  var dragged = null;
  function el(node) { return node && node.nodeType === 1 ? node : (node && node.parentElement); }
  function cellOf(event) { var e = el(event.target); return e && e.closest('[data-drop-date]'); }
  function unmark() {
    document.querySelectorAll('.cal-drop-over').forEach(function (c) { c.classList.remove('cal-drop-over'); });
  }
  document.addEventListener('dragstart', function (event) {
    var e = el(event.target);
    var card = e && e.closest('[data-move-url]');
    if (!card) { return; }
    dragged = card;
    card.classList.add('dragging');
    event.dataTransfer.effectAllowed = 'move';
    event.dataTransfer.setData('text/plain', card.dataset.at);
  });
  document.addEventListener('dragend', function () {
    if (dragged) { dragged.classList.remove('dragging'); }
    dragged = null;
    unmark();
  });
  document.addEventListener('dragover', function (event) {
    var cell = cellOf(event);
    if (!cell || !dragged) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = 'move';
    if (!cell.classList.contains('cal-drop-over')) { unmark(); cell.classList.add('cal-drop-over'); }
  });
  document.addEventListener('drop', function (event) {
    var cell = cellOf(event);
    if (!cell || !dragged) { return; }
    event.preventDefault();
    unmark();
    var card = dragged;
    var time = card.dataset.time;  /* HH:MM, workspace time */
    if (cell.dataset.dropHour) { time = cell.dataset.dropHour + ':' + time.slice(3); }
    var at = cell.dataset.dropDate + 'T' + time;
    if (at === card.dataset.at) { return; }
    var box = document.getElementById('calendar');
    card.classList.add('moving');
    card.setAttribute('aria-busy', 'true');
    htmx.ajax('POST', card.dataset.moveUrl + box.dataset.query, {
      source: box,
      target: '#calendar',
      swap: 'outerHTML',
      values: {at: at}
    });
  });
})();
