/* mlm-site: small progressive enhancements; every page works without them. */
(function () {
  "use strict";
  var root = document.documentElement;
  var stored = null;
  try { stored = window.localStorage.getItem("mlm-site-theme"); } catch (e) { stored = null; }
  if (stored === "light" || stored === "dark") { root.setAttribute("data-theme", stored); }

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  ready(function () {
    // Copy buttons on code blocks marked copyable.
    var blocks = document.querySelectorAll("pre.copyable, code.copyable");
    Array.prototype.forEach.call(blocks, function (block) {
      if (!navigator.clipboard) { return; }
      var wrap = document.createElement("div");
      wrap.className = "copy-wrap";
      block.parentNode.insertBefore(wrap, block);
      wrap.appendChild(block);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-btn";
      button.textContent = "Copy";
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(block.textContent || "").then(function () {
          button.textContent = "Copied";
          window.setTimeout(function () { button.textContent = "Copy"; }, 1500);
        }, function () { button.textContent = "Copy failed"; });
      });
      wrap.appendChild(button);
    });

    // Theme switch: follows the system until the reader picks one.
    var toggle = document.getElementById("theme-toggle");
    if (toggle) {
      toggle.hidden = false;
      toggle.addEventListener("click", function () {
        var current = root.getAttribute("data-theme");
        if (!current) {
          current = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
        }
        var next = current === "dark" ? "light" : "dark";
        root.setAttribute("data-theme", next);
        try { window.localStorage.setItem("mlm-site-theme", next); } catch (e) { /* private mode */ }
        toggle.setAttribute("aria-pressed", next === "dark" ? "true" : "false");
      });
    }
  });
})();
