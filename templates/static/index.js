/* mlm-site index: facet filters, sorting, full-text search and compare picks.
   Without JavaScript the full list of models shows and the compare form still submits. */
(function () {
  "use strict";

  // The search tokenizer: identical to mlm_site/search.py (fold, tokens, query_terms), which
  // builds the index (search/); tests/browser/test_search_browser.py compares the two.
  var MAX_TOKEN = 64, MAX_JOINS = 4;
  var WORD = /[\p{L}\p{N}]+(?:[-_.'\u2010\u2019][\p{L}\p{N}]+)*/gu;
  var JOINER = /[-_.'\u2010\u2019]/;
  // Where Python's str.casefold differs from toLowerCase (after NFKD, before marks are dropped).
  var CASEFOLD = /[\u00df\u03c2\u0345\u13f8-\u13fd\u1c80-\u1c88\uab70-\uabbf]/g;
  var CASEFOLD_1C80 = "\u0432\u0434\u043e\u0441\u0442\u0442\u044a\u0463\ua64b";

  function casefoldChar(c) {
    var cp = c.charCodeAt(0);
    if (cp === 0xdf) { return "ss"; }
    if (cp === 0x3c2) { return "\u03c3"; }
    if (cp === 0x345) { return "\u03b9"; }
    if (cp >= 0x13f8 && cp <= 0x13fd) { return String.fromCharCode(cp - 8); }
    if (cp >= 0xab70 && cp <= 0xabbf) { return String.fromCharCode(cp - 0xab70 + 0x13a0); }
    return CASEFOLD_1C80.charAt(cp - 0x1c80);
  }

  function searchFold(text) {
    if (/^[\x00-\x7f]*$/.test(text)) { return text.toLowerCase(); }
    var t = text.normalize("NFKC").toLowerCase().normalize("NFKD").replace(CASEFOLD, casefoldChar);
    return t.replace(/\p{Mn}+/gu, "").normalize("NFC");
  }

  function cut(token) { return Array.from(token).slice(0, MAX_TOKEN).join(""); }
  function keep(token) { return Array.from(token).length > 1 || /^[0-9]$/.test(token); }
  function parts(compound) { return compound.split(JOINER).filter(function (p) { return p !== ""; }); }

  // The tokens the index holds for a text (words and the joined forms of compounds), sorted.
  function searchTokens(text) {
    var out = new Set();
    (searchFold(text).match(WORD) || []).forEach(function (compound) {
      var ps = parts(compound);
      ps.forEach(function (p) { if (keep(p)) { out.add(cut(p)); } });
      for (var i = 0; i < Math.min(ps.length - 1, MAX_JOINS); i++) {
        var joined = cut(ps.slice(i).join(""));
        if (keep(joined)) { out.add(joined); }
      }
    });
    return Array.from(out).sort();
  }

  // The terms of a query, in order, without repeats: words, and compounds as their full join.
  function searchTerms(text) {
    var out = [];
    (searchFold(text).match(WORD) || []).forEach(function (compound) {
      var word = cut(parts(compound).join(""));
      if (keep(word) && out.indexOf(word) === -1) { out.push(word); }
    });
    return out;
  }

  function shardKey(token) {
    return Array.from(token).slice(0, 2).map(function (c) { return c.codePointAt(0).toString(16); }).join("-");
  }

  window.mlmSiteSearch = { fold: searchFold, tokens: searchTokens, terms: searchTerms, shardKey: shardKey };

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
    var searchMeta = null; // promise of search/index.json
    var shards = new Map(); // shard key -> promise of its rows
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

    // Full-text search in the index built with the site (search/, at the site root like this page;
    // fetched, so it needs http(s)). Only the shards of the query's terms are fetched.
    function fetchJSON(name) {
      var url = new URL(name, new URL(searchField.getAttribute("data-search") || "search/", window.location.href));
      return fetch(url.href).then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status + " for " + url.href); }
        return r.json();
      });
    }

    function loadMeta() {
      if (!searchMeta) {
        searchMeta = fetchJSON("index.json").then(function (meta) {
          if (!meta || meta.format !== 1 || !Array.isArray(meta.docs)) { throw new Error("unknown search index"); }
          meta.shardSet = new Set(meta.shards || []);
          return meta;
        });
        searchMeta.catch(function () { searchMeta = null; }); // try again with the next query
      }
      return searchMeta;
    }

    function loadShard(key) {
      if (!shards.has(key)) {
        var rows = fetchJSON(encodeURIComponent(key) + ".json");
        shards.set(key, rows);
        rows.catch(function () { shards.delete(key); });
      }
      return shards.get(key);
    }

    // Document numbers of the tokens that start with the term (one-character terms: the token itself).
    function termDocs(meta, term) {
      var key = shardKey(term);
      if (!meta.shardSet.has(key)) { return Promise.resolve(new Set()); }
      var whole = Array.from(term).length < 2;
      return loadShard(key).then(function (rows) {
        var found = new Set();
        rows.forEach(function (row) {
          var token = row[0];
          if (token === term || (!whole && token.lastIndexOf(term, 0) === 0)) {
            var n = 0;
            row[1].forEach(function (d, i) { n = i === 0 ? d : n + d; found.add(n); });
          }
        });
        return found;
      });
    }

    function matchingPages(meta, terms) {
      return Promise.all(terms.map(function (t) { return termDocs(meta, t); })).then(function (sets) {
        sets.sort(function (a, b) { return a.size - b.size; });
        var hits = Array.from(sets[0]).filter(function (n) {
          return sets.every(function (s) { return s.has(n); });
        });
        return hits.map(function (n) { return meta.docs[n]; });
      });
    }

    function runSearch() {
      var text = query.value.trim();
      var seq = ++searchSeq;
      if (!text) { searchHits = null; note.textContent = ""; apply(); return; }
      var terms = searchTerms(text);
      if (!terms.length) {
        searchHits = null;
        note.textContent = "Type a word of two or more letters (or a number) to search.";
        apply();
        return;
      }
      loadMeta().then(function (meta) {
        return matchingPages(meta, terms);
      }).then(function (pages) {
        if (seq !== searchSeq) { return; }
        searchHits = new Set(pages);
        note.textContent = pages.length + " page" + (pages.length === 1 ? "" : "s") + " match “" + text + "”.";
        apply();
      }).catch(function () {
        if (seq !== searchSeq) { return; }
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
        searchSeq += 1; // a search still on its way no longer applies
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
