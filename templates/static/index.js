/* mlm-site index: facet filters, sorting, Pagefind full-text search and compare picks.
   Without JavaScript the full list of models shows and the compare form still submits. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  ready(function () {
    var list = document.getElementById("tiles");
    var form = document.getElementById("filters");
    var toolbar = document.getElementById("toolbar");
    if (!list || !form || !toolbar) { return; }
    var tiles = Array.prototype.slice.call(list.querySelectorAll("li.tile"));
    var count = document.getElementById("result-count");
    var noMatch = document.getElementById("no-match");
    var sort = document.getElementById("sort");
    var searchField = document.getElementById("search-field");
    var query = document.getElementById("q");
    var note = document.getElementById("search-note");
    var facetsOf = new Map();
    tiles.forEach(function (tile) {
      var data = {};
      try { data = JSON.parse(tile.getAttribute("data-facets") || "{}"); } catch (e) { data = {}; }
      facetsOf.set(tile, data);
    });
    var searchHits = null; // null: no search; else a Set of page paths
    var pagefind = null;
    var searchSeq = 0;

    form.hidden = false;
    toolbar.hidden = false;
    // On narrow screens the filters start folded, so that the models come first.
    var box = document.getElementById("filters-box");
    if (box && window.matchMedia && window.matchMedia("(max-width: 52rem)").matches) { box.open = false; }

    function selected() {
      var out = {};
      Array.prototype.forEach.call(form.querySelectorAll("input[type=checkbox]:checked"), function (box) {
        (out[box.name] = out[box.name] || []).push(box.value);
      });
      return out;
    }

    function matches(tile, chosen) {
      var data = facetsOf.get(tile) || {};
      for (var facet in chosen) {
        if (!Object.prototype.hasOwnProperty.call(chosen, facet)) { continue; }
        var values = data[facet] || [];
        var any = chosen[facet].some(function (v) { return values.indexOf(v) !== -1; });
        if (!any) { return false; }
      }
      if (searchHits !== null && !searchHits.has(tile.getAttribute("data-page"))) { return false; }
      return true;
    }

    function apply() {
      var chosen = selected();
      var shown = 0;
      tiles.forEach(function (tile) {
        var ok = matches(tile, chosen);
        tile.hidden = !ok;
        if (ok) { shown += 1; }
      });
      if (count) {
        count.textContent = shown === tiles.length
          ? "Showing all " + tiles.length + " models."
          : "Showing " + shown + " of " + tiles.length + " models.";
      }
      if (noMatch) { noMatch.hidden = shown !== 0; }
      writeHash(chosen);
    }

    var rank = { invalid: 0, warnings: 1, valid: 2 };
    function sortTiles() {
      var how = sort.value;
      var sorted = tiles.slice().sort(function (a, b) {
        var ta = a.getAttribute("data-title"), tb = b.getAttribute("data-title");
        var byTitle = ta < tb ? -1 : ta > tb ? 1 : 0;
        if (how === "newest") {
          var da = a.getAttribute("data-date") || "", db = b.getAttribute("data-date") || "";
          if (da !== db) { return da < db ? 1 : -1; }
        } else if (how === "collection") {
          var ca = a.getAttribute("data-collection"), cb = b.getAttribute("data-collection");
          if (ca !== cb) { return ca < cb ? -1 : 1; }
        } else if (how === "status") {
          var ra = rank[a.getAttribute("data-status")], rb = rank[b.getAttribute("data-status")];
          if (ra !== rb) { return ra - rb; }
        }
        return byTitle;
      });
      sorted.forEach(function (tile) { list.appendChild(tile); });
    }

    // The state lives in the URL fragment so that a filtered view can be shared.
    function writeHash(chosen) {
      var parts = [];
      Object.keys(chosen).sort().forEach(function (facet) {
        chosen[facet].forEach(function (v) { parts.push(encodeURIComponent(facet) + "=" + encodeURIComponent(v)); });
      });
      if (sort.value !== "title") { parts.push("sort=" + encodeURIComponent(sort.value)); }
      if (query && query.value) { parts.push("q=" + encodeURIComponent(query.value)); }
      var hash = parts.length ? "#" + parts.join("&") : "";
      if (hash !== window.location.hash && !(hash === "" && window.location.hash === "")) {
        try { window.history.replaceState(null, "", hash || window.location.pathname + window.location.search); } catch (e) { /* file:// in some browsers */ }
      }
    }

    function readHash() {
      var text = window.location.hash.replace(/^#/, "");
      if (!text) { return; }
      text.split("&").forEach(function (pair) {
        var kv = pair.split("=");
        var key = decodeURIComponent(kv[0] || ""), value = decodeURIComponent(kv[1] || "");
        if (key === "sort") { sort.value = value; return; }
        if (key === "q" && query) { query.value = value; return; }
        Array.prototype.forEach.call(form.querySelectorAll("input[type=checkbox]"), function (box) {
          if (box.name === key && box.value === value) { box.checked = true; }
        });
      });
    }

    // Full-text search with the Pagefind index built with the site (needs http(s)).
    function loadPagefind() {
      if (pagefind) { return Promise.resolve(pagefind); }
      var src = new URL(searchField.getAttribute("data-pagefind"), window.location.href).href;
      return import(src).then(function (module) {
        pagefind = module;
        return module.init ? Promise.resolve(module.init()).then(function () { return module; }) : module;
      });
    }

    // The index sits at the site root: its folder is the prefix of every page URL.
    var sitePath = new URL(".", window.location.href).pathname;
    function pagePath(url) {
      // Pagefind URLs are absolute paths ("/a/b/models/x/index.html"); tiles hold "models/x/index.html".
      var path = new URL(url, window.location.href).pathname;
      if (path.indexOf(sitePath) === 0) { path = path.slice(sitePath.length); } else { path = path.replace(/^\/+/, ""); }
      return decodeURIComponent(path);
    }

    function runSearch() {
      var term = query.value.trim();
      var seq = ++searchSeq;
      if (!term) { searchHits = null; note.textContent = ""; apply(); return; }
      loadPagefind().then(function (pf) {
        return pf.search(term);
      }).then(function (result) {
        if (seq !== searchSeq) { return null; }
        return Promise.all(result.results.map(function (r) { return r.data(); }));
      }).then(function (datas) {
        if (datas === null || seq !== searchSeq) { return; }
        searchHits = new Set(datas.map(function (d) { return pagePath(d.url); }));
        note.textContent = datas.length + " page" + (datas.length === 1 ? "" : "s") + " match “" + term + "”.";
        apply();
      }).catch(function () {
        searchHits = null;
        note.textContent = "Search is unavailable here (it needs the site served over http, e.g. mlm-site serve).";
        apply();
      });
    }

    if (searchField && !searchField.hidden) {
      if (window.location.protocol === "file:") {
        searchField.hidden = true;
      } else {
        var timer = null;
        query.addEventListener("input", function () {
          window.clearTimeout(timer);
          timer = window.setTimeout(runSearch, 150);
        });
      }
    }

    form.addEventListener("change", apply);
    form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
    sort.addEventListener("change", function () { sortTiles(); apply(); });
    var clearAll = document.getElementById("clear-all");
    if (clearAll) {
      clearAll.addEventListener("click", function () {
        form.reset();
        if (query) { query.value = ""; }
        searchHits = null;
        if (note) { note.textContent = ""; }
        window.setTimeout(apply, 0);
      });
    }

    // Compare: enable the button once two models are ticked.
    var compareForm = document.getElementById("compare-form");
    var compareGo = document.getElementById("compare-go");
    var compareNote = document.getElementById("compare-note");
    function updateCompare() {
      var picked = document.querySelectorAll("input[name=m]:checked").length;
      compareGo.disabled = picked < 2;
      compareNote.textContent = picked < 2 ? "Tick two or more models." : picked + " models ticked.";
    }
    if (compareForm && compareGo) {
      list.addEventListener("change", updateCompare);
      updateCompare();
    }

    readHash();
    sortTiles();
    apply();
    if (query && query.value && searchField && !searchField.hidden) { runSearch(); }
  });
})();
