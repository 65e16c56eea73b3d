/* mlm-site: small progressive enhancements; every page works without them. */
(function () {
  "use strict";
  var stored = null;
  try { stored = window.localStorage.getItem("mlm-site-theme"); } catch (e) { stored = null; }
  if (stored === "light" || stored === "dark") { document.documentElement.setAttribute("data-theme", stored); }
})();
