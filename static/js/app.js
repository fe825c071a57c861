// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // After a failed submit, focus goes to the error summary (or, on a form without one, to the
  // first invalid field) so keyboard and screen-reader users start where the problem is.
  function focusField(field) {
    if (!field) return false;
    if (!field.matches("input, select, textarea, button")) {
      field = field.querySelector("input, select, textarea, button");  // a radio or checkbox group
      if (!field) return false;
    }
    field.focus();
    field.scrollIntoView({ block: "center" });
    return true;
  }
  function focusFirstProblem() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
      return;
    }
    var invalid = document.querySelector("main [aria-invalid='true']");
    if (invalid) focusField(invalid);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusFirstProblem);
  } else {
    focusFirstProblem();
  }
  // The summary's entries link to their fields: move the focus there, not just the scroll.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    if (link && focusField(document.getElementById(decodeURIComponent(link.hash.slice(1))))) {
      event.preventDefault();
    }
  });
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
  // Bulk bar: a live "x of y selected", "select all N matching" (the server re-applies the
  // list's filters; the page's boxes are ticked to show it), and "Go" saying what is missing
  // instead of sending the form. Without this file the server says the same after a reload.
  function bulkState(form) {
    var boxes = form.querySelectorAll("input[name='ids']");
    var ticked = form.querySelectorAll("input[name='ids']:checked").length;
    var matching = form.querySelector("[data-select-matching]");
    return { boxes: boxes, ticked: ticked, matching: matching && matching.checked };
  }
  function updateBulkCount(form) {
    var counter = form.querySelector("[data-bulk-count]");
    if (!counter) return;
    var state = bulkState(form);
    counter.textContent = state.matching
      ? "All " + counter.getAttribute("data-matching") + " matching selected"
      : state.ticked + " of " + counter.getAttribute("data-total") + " selected";
    var problem = form.querySelector("[data-bulk-problem]");
    if (problem && (state.ticked || state.matching)) problem.hidden = true;
  }
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (!form || !form.querySelector("[data-bulk-bar]")) return;
    var matching = event.target.closest("[data-select-matching]");
    if (matching) {
      form.querySelectorAll("input[name='ids'], [data-select-all]").forEach(function (box) {
        box.checked = matching.checked;
      });
    } else if (event.target.name === "ids" || event.target.hasAttribute("data-select-all")) {
      var all = form.querySelector("[data-select-matching]");
      if (all && !event.target.checked) all.checked = false;  // unticking a row narrows it
    }
    updateBulkCount(form);
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var problem = form.querySelector("[data-bulk-problem]");
    if (!problem) return;
    var action = form.querySelector("select[name='action']");
    var state = bulkState(form);
    var missing = [];
    if (!action.value) missing.push("choose an action");
    if (!state.ticked && !state.matching) missing.push("tick the rows it applies to");
    if (!missing.length) return;
    event.preventDefault();
    var text = missing.join(" and ");
    problem.textContent = text.charAt(0).toUpperCase() + text.slice(1) + " first.";
    problem.hidden = false;
    (action.value ? (state.boxes[0] || action) : action).focus();
  });
  document.querySelectorAll("form").forEach(function (form) {
    if (form.querySelector("[data-bulk-bar]")) updateBulkCount(form);  // boxes kept on "back"
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
