// Annotations on the item page's viewer: the canvas's annotations from the
// archive's W3C Web Annotation Protocol containers, drawn on the image
// (Annotorious, on the viewer's OpenSeadragon: Mirador's own or the small
// screen's) and listed below it. A signed-in person draws a rectangle or a
// polygon, writes a note and tags, chooses who sees it, and changes or
// deletes their own; everyone else's are shown read only.
(function () {
  var box = document.getElementById("annotations");
  if (!box) return;
  var words = box.dataset, me = words.user ? "urn:x-archive:user:" + words.user : "";
  var $ = function (id) { return document.getElementById(id); };
  var anno, osd, canvas, shown = [], editing = null, target = null, loading = 0;

  function load(src) {
    return new Promise(function (ok, fail) {
      var s = document.createElement("script");
      s.src = src;
      s.onload = ok;
      s.onerror = fail;
      document.head.appendChild(s);
    });
  }

  // Annotorious registers itself on the page's OpenSeadragon; Mirador keeps
  // its copy inside, so where it is the viewer the bundled one comes first.
  var libs;
  function ready() {
    if (libs) return libs;
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = "/static/vendor/annotorious.min.css";
    document.head.appendChild(css);
    var osdLoaded = window.OpenSeadragon && window.OpenSeadragon.Viewer ? Promise.resolve() : load("/static/vendor/openseadragon.min.js");
    libs = osdLoaded.then(function () { return load("/static/vendor/openseadragon-annotorious.min.js"); });
    return libs;
  }

  // container is the protocol's container of the shown canvas (its number
  // is the last part of its IIIF address).
  function container() {
    return "/annotations/" + encodeURIComponent(words.item) + "/" + canvas.split("/").pop() + "/";
  }
  // local is an annotation's address on this site (its IRI names the
  // archive's public base, which may differ behind a proxy).
  function local(iri) {
    var u = new URL(iri, window.location.href);
    return u.pathname;
  }

  function say(text, bad) {
    var s = $("anno-said");
    s.textContent = text || "";
    s.classList.toggle("error", !!bad);
  }

  // refusal says, in the page's words, what went wrong and what to do.
  function refusal(r) {
    var key = { 401: "signedOut", 403: "forbidden", 404: "gone", 410: "gone", 412: "stale", 428: "stale", 429: "limit" }[r.status];
    if (key) {
      var s = words[key];
      var wait = r.headers.get("Retry-After");
      if (r.status === 429 && wait) s += " (" + wait + " s)";
      return Promise.resolve(s);
    }
    return r.text().then(function (t) { return words.failed + " " + t.trim(); });
  }

  function notes(a) {
    var bodies = [].concat(a.body || []);
    if (a.bodyValue) bodies.push({ type: "TextualBody", value: a.bodyValue });
    return {
      note: bodies.filter(function (b) { return b.purpose !== "tagging"; })[0],
      tags: bodies.filter(function (b) { return b.purpose === "tagging"; }).map(function (b) { return b.value; }),
    };
  }
  function mine(a) { return !!me && a.creator && a.creator.id === me; }
  // editable: one's own note or tags, which this form writes back as they
  // were meant; a transcription (or any other kind) is changed where it
  // was made, never turned into a comment here.
  function editable(a) {
    var kinds = [].concat(a.motivation || []).concat([].concat(a.body || []).map(function (b) { return b.purpose; }).filter(Boolean));
    return mine(a) && kinds.every(function (k) { return k === "commenting" || k === "tagging"; });
  }
  // seenBy says whom an annotation is for: everyone, its author, or a
  // group (an audience this form keeps as it is).
  function seenBy(a) {
    return a.audience === "public" ? words.public : a.audience === "private" || !a.audience ? words.private : words.group;
  }

  // fetchAll reads every page of the canvas's container.
  function fetchAll() {
    var asked = ++loading, out = [];
    function page(url) {
      return fetch(url, { credentials: "same-origin", headers: { Accept: "application/ld+json" } }).then(function (r) {
        if (!r.ok) throw r;
        return r.json();
      }).then(function (p) {
        out = out.concat(p.items || []);
        return p.next ? page(local(p.next)) : out;
      });
    }
    return page(container() + "?page=0").then(function (list) {
      if (asked !== loading) return;
      shown = list;
      anno.setAnnotations(list.filter(selectorOf).map(forDrawing));
      render();
    }).catch(function (e) {
      if (asked === loading) say(words.loadFailed, true);
      if (e instanceof Error) throw e;
    });
  }

  // selectorOf is an annotation's shape: its first selector, or the
  // media fragment of a target written as the canvas's URI (no shape: the
  // whole canvas).
  function selectorOf(a) {
    var t = a.target, frag = typeof t === "string" && t.split("#")[1];
    if (frag) return { type: "FragmentSelector", value: frag };
    var sel = [].concat(t && t.selector || [])[0];
    return sel && (sel.type === "FragmentSelector" || sel.type === "SvgSelector") ? { type: sel.type, value: sel.value } : null;
  }

  // forDrawing is an annotation as Annotorious draws it: its shape (with
  // the conformsTo it asks of a fragment), and whose it is for its style.
  function forDrawing(a) {
    var sel = selectorOf(a);
    if (sel && sel.type === "FragmentSelector") sel.conformsTo = "http://www.w3.org/TR/media-frags/";
    return { "@context": "http://www.w3.org/ns/anno.jsonld", id: a.id, type: "Annotation", body: [],
      target: { source: canvas, selector: sel }, mine: mine(a) };
  }

  function render() {
    var ul = $("anno-list");
    ul.textContent = "";
    $("anno-none").hidden = shown.length > 0;
    shown.forEach(function (a) {
      var li = document.createElement("li"), n = notes(a), p = document.createElement("p");
      li.id = "anno-" + a.id.split("/").pop();
      li.className = mine(a) ? "mine" : "theirs";
      if (n.note) {
        p.textContent = n.note.value;
        if (n.note.language) p.lang = n.note.language;
        li.append(p);
      }
      if (n.tags.length) {
        var tags = document.createElement("p");
        tags.className = "tags";
        tags.textContent = words.tagsLabel + " " + n.tags.join(", ");
        li.append(tags);
      }
      var about = document.createElement("p");
      about.className = "help";
      about.textContent = (mine(a) ? words.mine + " · " : "") + seenBy(a);
      li.append(about);
      if (editable(a)) {
        var edit = button(words.edit, "edit", function () { startEdit(a); });
        var del = button(words.delete, "delete", function () { askDelete(a, li); });
        var row = document.createElement("p");
        row.className = "buttons";
        row.append(edit, " ", del);
        li.append(row);
      }
      ul.append(li);
    });
  }

  function button(text, cls, then) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = cls;
    b.textContent = text;
    b.addEventListener("click", then);
    return b;
  }

  // Drawing: the tool's button arms Annotorious for one shape.
  function tools() {
    [].forEach.call(box.querySelectorAll("button.tool"), function (b) {
      b.addEventListener("click", function () {
        if (!anno) return;
        closeForm();
        anno.setDrawingTool(b.dataset.tool);
        anno.setDrawingEnabled(true);
        pressed(b);
        $("anno-close").hidden = b.dataset.tool !== "polygon";
        say(words["help" + b.dataset.tool]);
      });
    });
  }
  function pressed(which) {
    [].forEach.call(box.querySelectorAll("button.tool"), function (b) { b.setAttribute("aria-pressed", String(b === which)); });
    if (!which) $("anno-close").hidden = true;
  }

  // closeShape ends a polygon as its double click does, for a touch screen
  // (a double tap zooms) or a keyboard: Annotorious's polygon tool closes
  // on a double click anywhere on the page.
  function closeShape() {
    document.dispatchEvent(new MouseEvent("dblclick", { bubbles: true, clientX: 0, clientY: 0 }));
  }

  function openForm(a) {
    var f = $("anno-form"), n = a ? notes(a) : { tags: [] };
    $("anno-note").value = n.note ? n.note.value : "";
    $("anno-lang").value = n.note && n.note.language ? n.note.language : words.lang === "th" ? "th" : "en";
    $("anno-tags").value = n.tags.join(", ");
    var aud = a ? a.audience || "private" : "private";
    document.querySelectorAll('input[name="anno-audience"]').forEach(function (r) { r.checked = r.value === aud; });
    f.hidden = false;
    pressed(null);
    $("anno-note").focus();
  }
  function closeForm() {
    var f = $("anno-form");
    if (f) f.hidden = true;
    editing = null;
    target = null;
    if (anno) anno.cancelSelected();
  }

  // document is what the form says, as the archive takes it: a note in
  // its language, each tag a tagging body, the shape as drawn.
  function documentOf(tgt) {
    var body = [], note = $("anno-note").value.trim(), lang = $("anno-lang").value;
    if (note) body.push({ type: "TextualBody", value: note, language: lang, purpose: "commenting", format: "text/plain" });
    $("anno-tags").value.split(/[,;\n]+/).map(function (s) { return s.trim(); }).filter(Boolean).forEach(function (tag) {
      body.push({ type: "TextualBody", value: tag, language: lang, purpose: "tagging" });
    });
    var out = selectorOf({ target: tgt });
    if (out.type === "FragmentSelector") out.conformsTo = "http://www.w3.org/TR/media-frags/";
    return { "@context": "http://www.w3.org/ns/anno.jsonld", type: "Annotation", motivation: body.some(function (b) { return b.purpose === "commenting"; }) ? "commenting" : "tagging",
      body: body, target: { source: canvas, selector: out }, audience: audience() };
  }
  // audience is the one chosen: private, public or one of the person's
  // groups; none chosen (an annotation of a group the person has left,
  // being changed), the one it had.
  function audience() {
    var r = document.querySelector('input[name="anno-audience"]:checked');
    if (r) return r.value;
    return editing ? editing.audience : "private";
  }

  function save(e) {
    e.preventDefault();
    if (!target) { say(words.shapeNeeded, true); return; }
    var doc = documentOf(target);
    if (doc.body.length === 0) { say(words.noteNeeded, true); return; }
    var send = $("anno-save");
    send.disabled = true;
    var req = editing ? fetch(local(editing.id), { method: "PUT", credentials: "same-origin", headers: { "Content-Type": "application/ld+json", "If-Match": editing.etag }, body: JSON.stringify(doc) })
      : fetch(container(), { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/ld+json" }, body: JSON.stringify(doc) });
    req.then(function (r) {
      if (r.ok) {
        closeForm();
        say(words.saved);
        return fetchAll();
      }
      return refusal(r).then(function (s) { say(s, true); });
    }, function () { say(words.offline, true); }).finally(function () { send.disabled = false; });
  }

  // read asks for an annotation afresh, with its ETag: a change or a
  // deletion names the version the person saw.
  function read(a) {
    return fetch(local(a.id), { credentials: "same-origin", headers: { Accept: "application/ld+json" } }).then(function (r) {
      if (!r.ok) return refusal(r).then(function (s) { throw new Error(s); });
      return r.json().then(function (doc) { doc.etag = r.headers.get("ETag"); return doc; });
    });
  }

  function startEdit(a) {
    read(a).then(function (doc) {
      editing = doc;
      target = selectorOf(doc) ? { selector: selectorOf(doc) } : null;
      anno.selectAnnotation(doc.id);
      openForm(doc);
    }).catch(function (e) { say(e.message || words.offline, true); });
  }

  function askDelete(a, li) {
    var q = document.createElement("p"), yes = button(words.confirmDelete, "confirm", function () {
      read(a).then(function (doc) {
        return fetch(local(doc.id), { method: "DELETE", credentials: "same-origin", headers: { "If-Match": doc.etag } }).then(function (r) {
          if (!r.ok) return refusal(r).then(function (s) { say(s, true); });
          closeForm();
          say(words.deleted);
          return fetchAll();
        });
      }).catch(function (e) { say(e.message || words.offline, true); });
    });
    q.className = "buttons";
    q.append(yes, " ", button(words.keep, "keep", function () { q.remove(); }));
    li.append(q);
    yes.focus();
  }

  function wire() {
    anno.on("createSelection", function (sel) {
      editing = null;
      target = sel.target;
      say("");
      openForm(null);
    });
    anno.on("changeSelectionTarget", function (t) { target = t; });
    anno.on("selectAnnotation", function (a) {
      var s = shown.filter(function (x) { return x.id === a.id; })[0];
      if (editing && editing.id === a.id) return;
      if (s && editable(s)) { startEdit(s); return; }
      // Someone else's: shown, never changed here.
      anno.cancelSelected();
      var li = s && document.getElementById("anno-" + s.id.split("/").pop());
      if (li) li.scrollIntoView({ block: "nearest" });
    });
    anno.on("cancelSelected", function () {
      var f = $("anno-form");
      if (f && !editing) f.hidden = true;
    });
  }

  // withImage calls then once viewer v shows an image: the tools to draw
  // are offered only on an image the person sees.
  function withImage(v, then) {
    if (v.world.getItemCount() > 0) { then(); return; }
    v.world.addOnceHandler("add-item", then);
  }

  // show puts the annotations of canvas on viewer v.
  function show(v, c) {
    if (v === osd && c === canvas) return;
    ready().then(function () {
      if (v !== osd) {
        if (anno) anno.destroy();
        osd = v;
        anno = window.OpenSeadragon.Annotorious(osd, {
          // A click or a tap starts a shape, so that a polygon is drawn
          // corner by corner, on a phone too.
          disableEditor: true, readOnly: !me, allowEmpty: true, drawOnSingleClick: true,
          formatter: function (a) { return a.underlying && a.underlying.mine ? "mine" : "theirs"; },
        });
        wire();
        withImage(osd, function () { var t = box.querySelector(".anno-tools"); if (t) t.hidden = false; });
      }
      canvas = c;
      closeForm();
      say("");
      return fetchAll();
    }).catch(function () { say(words.loadFailed, true); });
  }

  if (me) {
    tools();
    $("anno-close").addEventListener("click", closeShape);
    $("anno-form").addEventListener("submit", save);
    $("anno-cancel").addEventListener("click", function () { closeForm(); say(""); });
  }
  document.addEventListener("archive:canvas", function (e) { show(e.detail.viewer, e.detail.canvas); });
  if (window.archiveCanvas) show(window.archiveCanvas.viewer, window.archiveCanvas.canvas);
})();
