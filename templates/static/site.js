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

    // Download buttons (the Cite section): save the text of a <pre> of the page as a file.
    // No file on the server: a Blob with an object URL and a download attribute (works from
    // file:// too). The buttons stay hidden without this script; the text stays in the page.
    var saveLink = document.createElement("a");
    if (window.Blob && window.URL && URL.createObjectURL && "download" in saveLink) {
      var downloads = document.querySelectorAll("button[data-download]");
      Array.prototype.forEach.call(downloads, function (button) {
        var source = document.getElementById(button.getAttribute("data-download") || "");
        var name = button.getAttribute("data-filename");
        if (!source || !name) { button.hidden = true; return; }
        button.addEventListener("click", function () {
          var type = (button.getAttribute("data-media-type") || "text/plain") + ";charset=utf-8";
          var url = URL.createObjectURL(new Blob([source.textContent || ""], { type: type }));
          var link = document.createElement("a");
          link.href = url;
          link.download = name;
          link.hidden = true;
          document.body.appendChild(link);
          link.click();
          document.body.removeChild(link);
          window.setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
        });
        if (button.parentNode && button.parentNode.hasAttribute("hidden")) { button.parentNode.hidden = false; }
      });
    }

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
