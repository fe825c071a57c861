// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Confirm buttons carrying data-confirm (bulk actions still have a server-side confirmation step).
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  // "Select all" checkbox for list pages.
  document.addEventListener("change", function (event) {
    var toggle = event.target.closest("[data-select-all]");
    if (!toggle) return;
    var form = toggle.form || document;
    form.querySelectorAll("input[name='" + toggle.getAttribute("data-select-all") + "']")
      .forEach(function (box) { box.checked = toggle.checked; });
  });
  // Phone layout of list tables: each cell shows its column's name (CSS reads data-label), taken
  // from the header once here instead of being repeated in every row of the HTML.
  document.querySelectorAll("table.responsive").forEach(function (table) {
    var titles = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.replace(/[▲▼]/g, "").trim();
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.cells, function (cell, index) {
        if (!cell.hasAttribute("data-label") && titles[index]) {
          cell.setAttribute("data-label", titles[index]);
        }
      });
    });
  });
  // Search-as-you-type for related-row inputs: fill their <datalist> from the lookup endpoint.
  // Without JavaScript the input still accepts an exact name or a public id.
  var timers = new WeakMap();
  document.addEventListener("input", function (event) {
    var input = event.target.closest("input[data-lookup]");
    if (!input || !input.list) return;
    clearTimeout(timers.get(input));
    timers.set(input, setTimeout(function () {
      var url = input.getAttribute("data-lookup") + "?q=" + encodeURIComponent(input.value);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) {
          var list = input.list;
          while (list.firstChild) list.removeChild(list.firstChild);
          data.results.forEach(function (row) {
            var option = document.createElement("option");
            option.value = row.value;
            option.label = row.label;
            list.appendChild(option);
          });
        })
        .catch(function () { /* the field still works by exact name */ });
    }, 200));
  });
})();
