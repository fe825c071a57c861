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
})();
