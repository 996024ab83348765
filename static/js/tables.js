/* Tables on narrow screens: a table wider than its box becomes one card per row, each value
   under its column's name (data-label, from the header row; the styles are in site.css).
   Tables that fit stay tables. Without JavaScript a wide table scrolls sideways in its box,
   with a shadow at the edge as the cue. Lesson content and diffs keep their own layout. */
(function () {
  "use strict";
  function labelled(table) {
    var head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!head) { return false; }
    var names = [];
    Array.prototype.forEach.call(head.cells, function (cell) {
      for (var i = 0; i < cell.colSpan; i++) { names.push(cell.textContent.trim()); }
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (names[column] && !cell.hasAttribute("data-label")) { cell.setAttribute("data-label", names[column]); }
          column += cell.colSpan;
        });
      });
    });
    return true;
  }

  var tables = Array.prototype.filter.call(document.querySelectorAll("main table"), function (table) {
    return !table.closest(".content, .diff, [data-no-stack]") && !table.classList.contains("diff") && labelled(table);
  });

  function fit() {
    tables.forEach(function (table) {
      table.classList.remove("stack");
      if (table.offsetWidth > table.parentElement.clientWidth + 1) { table.classList.add("stack"); }
    });
  }

  if (tables.length) {
    fit();
    var waiting;
    window.addEventListener("resize", function () {
      clearTimeout(waiting);
      waiting = setTimeout(fit, 150);
    });
  }
})();
