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
  /* A card carries what a move needs once: the Move link's address and its <time>
     (the workspace's wall clock, "YYYY-MM-DDTHH:MM:SS+hh:mm"). */
  function moveUrl(card) {
    var link = card.querySelector('a.cal-move');
    return link ? link.getAttribute('href').split('?')[0] : null;
  }
  function wallTime(card) {
    var t = card.querySelector('time[datetime]');
    return t ? t.getAttribute('datetime').slice(0, 16) : '';
  }
  document.addEventListener('dragstart', function (event) {
    var e = el(event.target);
    var card = e && e.closest('.cal-card[draggable="true"]');
    if (!card || !moveUrl(card) || !wallTime(card)) { return; }
    dragged = card;
    card.classList.add('dragging');
    event.dataTransfer.effectAllowed = 'move';
    event.dataTransfer.setData('text/plain', wallTime(card));
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
    var was = wallTime(card);
    var time = was.slice(11, 16);  /* HH:MM, workspace time */
    if (cell.dataset.dropHour) { time = cell.dataset.dropHour + ':' + time.slice(3); }
    var at = cell.dataset.dropDate + 'T' + time;
    if (at === was) { return; }
    var box = document.getElementById('calendar');
    card.classList.add('moving');
    card.setAttribute('aria-busy', 'true');
    htmx.ajax('POST', moveUrl(card) + box.dataset.query, {
      source: box,
      target: '#calendar',
      swap: 'outerHTML',
      values: {at: at}
    });
  });
})();
