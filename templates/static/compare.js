/* mlm-site compare page: show the columns of the models named in ?m=...; without JavaScript every column shows. */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var table = document.getElementById("compare-table");
    var form = document.getElementById("compare-pick");
    if (!table || !form) { return; }
    var status = document.getElementById("compare-status");
    var boxes = Array.prototype.slice.call(form.querySelectorAll("input[name=m]"));
    var params = new URLSearchParams(window.location.search);
    var wanted = params.getAll("m");
    boxes.forEach(function (box) { box.checked = wanted.indexOf(box.value) !== -1; });

    function show() {
      var picked = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
      var all = picked.length === 0;
      Array.prototype.forEach.call(table.querySelectorAll("[data-model]"), function (cell) {
        cell.hidden = !all && picked.indexOf(cell.getAttribute("data-model")) === -1;
      });
      if (status) {
        status.textContent = all ? "All models are shown; tick some to compare them side by side."
          : "Comparing " + picked.length + " model" + (picked.length === 1 ? "" : "s") + ".";
      }
      var query = picked.map(function (m) { return "m=" + encodeURIComponent(m); }).join("&");
      try {
        window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
      } catch (e) { /* some browsers refuse on file:// */ }
    }
    form.addEventListener("change", show);
    form.addEventListener("submit", function (event) { event.preventDefault(); show(); });
    show();
  });
})();
