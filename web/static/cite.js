// The "Cite" block of item and unit pages: the citation in the style and
// language chosen, rendered by citeproc-js from the record's CSL-JSON and
// the styles' own CSL files (/static/csl), and a button that copies it.
// Without scripts the server's plain citation stays, with the downloads.
(function (root) {
  "use strict";

  // CSL knows the Gregorian calendar only: for Thai readers the years of
  // the record's dates are said in the Buddhist Era (CE + 543) by giving
  // the processor a copy whose years are shifted. A date CSL cannot hold
  // comes as a literal already said in the reader's era.
  function buddhistEra(item) {
    var copy = JSON.parse(JSON.stringify(item));
    ["issued"].forEach(function (v) {
      var d = copy[v];
      if (!d || !d["date-parts"]) return;
      d["date-parts"] = d["date-parts"].map(function (p) {
        return [p[0] + 543].concat(p.slice(1));
      });
    });
    return copy;
  }

  // renderCitation is the bibliography entry of item in the CSL style
  // (its XML), for readers of lang ("th" or "en"), as plain text; locales
  // maps "en-US" and "th-TH" to their CSL locale files.
  function renderCitation(CSL, item, style, locales, lang) {
    var it = lang === "th" ? buddhistEra(item) : item;
    var sys = {
      retrieveLocale: function (l) { return locales[l] || false; },
      retrieveItem: function () { return it; }
    };
    var engine = new CSL.Engine(sys, style, lang === "th" ? "th-TH" : "en-US", true);
    engine.setOutputFormat("text");
    engine.updateItems([it.id]);
    return engine.makeBibliography()[1].join("").trim();
  }

  if (typeof module !== "undefined" && module.exports) {
    module.exports = { renderCitation: renderCitation, buddhistEra: buddhistEra };
    return;
  }

  var box = root.document.getElementById("cite");
  if (!box) return;
  var out = root.document.getElementById("citation");
  var styleSel = root.document.getElementById("cite-style");
  var langSel = root.document.getElementById("cite-lang");
  var copy = root.document.getElementById("copy-citation");
  var texts = {};
  function get(url) {
    if (!texts[url]) {
      texts[url] = fetch(url, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) throw new Error(url + ": " + r.status);
        return r.text();
      });
    }
    return texts[url];
  }
  var processor;
  function citeproc() {
    if (!processor) {
      processor = new Promise(function (resolve, reject) {
        var s = root.document.createElement("script");
        s.src = "/static/vendor/citeproc.js";
        s.onload = function () { resolve(root.CSL); };
        s.onerror = reject;
        root.document.head.appendChild(s);
      });
    }
    return processor;
  }
  // Each style and language is rendered once (a large style such as APA
  // takes citeproc-js over half a second to read); a rendering that ends
  // after the reader chose another is kept, not shown.
  var rendered = {};
  function render() {
    var lang = langSel.value, style = styleSel.value, key = style + " " + lang;
    if (!rendered[key]) {
      rendered[key] = Promise.all([
        citeproc(),
        get(box.dataset.csl + "?format=csl-json&lang=" + lang),
        get("/static/csl/" + style + ".csl"),
        get("/static/csl/locales-en-US.xml"),
        get("/static/csl/locales-th-TH.xml")
      ]).then(function (r) {
        return renderCitation(r[0], JSON.parse(r[1])[0], r[2], { "en-US": r[3], "th-TH": r[4] }, lang);
      });
      rendered[key].catch(function () { delete rendered[key]; });
    }
    rendered[key].then(function (text) {
      if (styleSel.value !== style || langSel.value !== lang) return;
      out.textContent = text;
      out.lang = lang;
      out.dataset.style = style;
    }).catch(function () {
      // The plain citation stays.
    });
  }
  box.querySelector(".cite-choose").hidden = false;
  styleSel.addEventListener("change", render);
  langSel.addEventListener("change", render);
  render();
  if (copy && root.navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      root.navigator.clipboard.writeText(out.textContent);
    });
  }
})(this);
