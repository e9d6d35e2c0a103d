// Finding aids and the desk's outline: expand or collapse every unit, print,
// and (in the outline) drag a unit onto another to move it inside, last.
(function () {
  'use strict';
  function all(open) {
    document.querySelectorAll('#aid details').forEach(function (d) { d.open = open; });
  }
  var ex = document.getElementById('aid-expand'), co = document.getElementById('aid-collapse');
  if (ex) ex.addEventListener('click', function () { all(true); });
  if (co) co.addEventListener('click', function () { all(false); });
  var pr = document.getElementById('aid-print');
  if (pr) pr.addEventListener('click', function () { window.print(); });

  var outline = document.querySelector('ul.outline');
  var form = document.getElementById('move');
  if (!outline || !form) return;
  outline.querySelectorAll('summary').forEach(function (s) { s.draggable = true; });
  var dragged = null;
  outline.addEventListener('dragstart', function (e) {
    var li = e.target.closest('li[data-unit]');
    if (!li) return;
    dragged = li.dataset.unit;
    e.dataTransfer.setData('text/plain', dragged);
    e.dataTransfer.effectAllowed = 'move';
  });
  outline.addEventListener('dragover', function (e) {
    if (dragged && e.target.closest('summary')) e.preventDefault();
  });
  outline.addEventListener('drop', function (e) {
    var target = e.target.closest('li[data-unit]');
    if (!dragged || !target || target.dataset.unit === dragged) return;
    e.preventDefault();
    form.elements.unit.value = dragged;
    form.elements.parent.value = target.dataset.unit;
    form.elements.position.value = '';
    form.submit();
  });
})();
