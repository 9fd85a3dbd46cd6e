// The page's scripts.
// Sortable tables: each column heading becomes a button; the body rows are reordered in place.
// Without JavaScript the tables read the same, in the order the tabulation gave them.
(function () {
  "use strict";
  function value(cell) {
    var text = cell.textContent.trim();
    var number = text.replace(/[,%+\s]/g, "").replace(/^[\u2212\u2013]/, "-");
    return /^-?\d+(\.\d+)?$/.test(number) ? parseFloat(number) : text.toLowerCase();
  }
  function compare(a, b) {
    if (typeof a === typeof b) { return a < b ? -1 : a > b ? 1 : 0; }
    return typeof a === "number" ? -1 : 1;
  }
  function sortBy(table, index, heading) {
    var body = table.tBodies[0];
    var descending = heading.getAttribute("aria-sort") === "ascending";
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (r1, r2) {
      var order = compare(value(r1.cells[index]), value(r2.cells[index]));
      return descending ? -order : order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      th.removeAttribute("aria-sort");
    });
    heading.setAttribute("aria-sort", descending ? "descending" : "ascending");
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.results"), function (table) {
    if (!table.tHead || !table.tBodies.length || table.tBodies[0].rows.length < 2) { return; }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      button.title = "Sort by " + th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, index, th); });
    });
  });
}());

// The palette toggle: show the colour-blind-safe maps instead of the standard ones (and back).
(function () {
  "use strict";
  var button = document.getElementById("palette-toggle");
  if (!button || !document.querySelector(".palette-colorblind")) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    var safe = button.getAttribute("aria-pressed") !== "true";
    button.setAttribute("aria-pressed", safe ? "true" : "false");
    button.textContent = safe ? "Use standard colours" : "Use colour-blind-safe colours";
    Array.prototype.forEach.call(document.querySelectorAll(".palette-colorblind"), function (el) {
      el.hidden = !safe;
    });
    Array.prototype.forEach.call(document.querySelectorAll(".palette-standard"), function (el) {
      el.hidden = safe;
    });
  });
}());
