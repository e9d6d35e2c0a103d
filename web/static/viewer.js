// Starts the viewer on the page's viewer element: Mirador where there is
// room for it, OpenSeadragon alone on a small screen or in a narrow frame
// (with a link to the full viewer), so that every size shows the pages.
(function () {
  var el = document.getElementById("viewer");
  if (!el) return;
  var embed = el.dataset.embed === "1";
  var forceFull = /[?&]viewer=full\b/.test(window.location.search);

  function load(src, then) {
    var s = document.createElement("script");
    s.src = src;
    s.onload = then;
    document.head.appendChild(s);
  }

  // imagePages lists the canvases of a IIIF 3 manifest that show an image,
  // with the info.json of each.
  function imagePages(m) {
    var out = [];
    (m.items || []).forEach(function (canvas) {
      try {
        var body = canvas.items[0].items[0].body;
        var svc = (body.service || []).filter(function (s) { return (s.type || s["@type"]) === "ImageService3"; })[0];
        if (svc) out.push({ canvas: canvas.id, info: svc.id.replace(/\/$/, "") + "/info.json" });
      } catch (e) { /* a canvas without an image: nothing to show here */ }
    });
    return out;
  }
  function imageServices(m) { return imagePages(m).map(function (p) { return p.info; }); }

  // announce tells the page's annotations (annotate.js) which canvas the
  // viewer shows, on which OpenSeadragon viewer.
  function announce(osd, canvas) {
    var last = window.archiveCanvas;
    if (last && last.viewer === osd && last.canvas === canvas) return;
    window.archiveCanvas = { viewer: osd, canvas: canvas };
    document.dispatchEvent(new CustomEvent("archive:canvas", { detail: window.archiveCanvas }));
  }

  var compactSources;
  function compact() {
    load("/static/vendor/openseadragon.min.js", function () {
      fetch(el.dataset.manifest, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (m) {
        var pages = imagePages(m), sources = pages.map(function (p) { return p.info; });
        el.classList.add("compact");
        if (sources.length === 0) {
          el.textContent = el.dataset.noImages || "";
          return;
        }
        compactSources = sources;
        window.archiveViewer = OpenSeadragon({
          element: el, prefixUrl: "/static/vendor/osd/", tileSources: sources,
          sequenceMode: sources.length > 1, showNavigator: false, gestureSettingsTouch: { pinchRotate: false },
        });
        var v = window.archiveViewer;
        v.addHandler("open", function () { announce(v, pages[v.currentPage()].canvas); });
        // No sign-in bar here: a signed-in person's session is asked at once.
        if (el.dataset.reloadOnToken === "1" && el.dataset.signedIn === "1") checkAccess();
      });
      if (el.dataset.fullLabel) {
        var a = document.createElement("a");
        a.href = (embed ? el.dataset.itemUrl : window.location.pathname) + "?viewer=full";
        if (embed) a.target = "_blank";
        a.className = "full-viewer";
        a.textContent = el.dataset.fullLabel;
        el.parentNode.insertBefore(a, el.nextSibling);
      }
    });
  }

  function full() {
    var thai = el.dataset.lang === "th";
    load(thai ? "/static/mirador-th.js" : "/static/vendor/mirador.min.js", thai ? function () { load("/static/vendor/mirador.min.js", start); } : start);
  }

  // A search hit's link (/items/ID?page=3&q=word) opens the viewer on
  // that page with the words found marked by the item's search service.
  var params = new URLSearchParams(window.location.search);
  function windowConfig() {
    var w = { manifestId: el.dataset.manifest, thumbnailNavigationPosition: embed ? "off" : "far-bottom" };
    var page = parseInt(params.get("page") || "", 10);
    if (page > 0) w.canvasIndex = page - 1;
    if (params.get("q")) { w.sideBarOpen = true; w.sideBarPanel = "search"; }
    return w;
  }

  // searchWithin asks the item's search service for the words in the
  // window's search panel, once the panel is there. Mirador's own
  // defaultSearchQuery asks under the words as typed and its panel again
  // under them URL-encoded: a Thai word (or two words) was asked twice and
  // every hit listed twice.
  function searchWithin(viewer, q) {
    var store = viewer.store;
    var stop = store.subscribe(function () {
      var st = store.getState(), win = Object.keys(st.windows)[0];
      var svc = win && Mirador.getManifestSearchService(st, { windowId: win });
      var input = svc && el.querySelector('input[id^="search-"]');
      if (!input) return;
      stop();
      // Not from inside the store's own notification: its views would
      // render from a state half told.
      setTimeout(function () {
        store.dispatch(Mirador.fetchSearch(win, input.id.replace(/^search-/, ""), svc.id + "?" + new URLSearchParams({ q: q }), q));
      }, 0);
    });
  }

  // useSession: a signed-in reader's viewer takes the access token of the
  // session they have (the token service's frame posts it) rather than
  // asking them to sign in again; as Mirador does once its sign-in window
  // closes. (Not on the page of an item the reader may not see: the token
  // would reload that page, again and again.)
  function useSession(viewer) {
    var store = viewer.store;
    var stop = store.subscribe(function () {
      var st = store.getState(), win = Object.keys(st.windows)[0];
      var svc = win && Mirador.selectCurrentAuthServices(st, { windowId: win })[0];
      if (!svc || (st.auth || {})[svc.id]) return;
      var token = svc.getService("http://iiif.io/api/auth/1/token");
      if (!token) return;
      stop();
      setTimeout(function () {
        store.dispatch(Mirador.addAuthenticationRequest(win, svc.id, svc.getProfile()));
        store.dispatch(Mirador.resolveAuthenticationRequest(svc.id, token.id));
      }, 0);
    });
  }

  function start() {
    el.classList.add("mirador");
    var thai = el.dataset.lang === "th";
    window.archiveViewer = Mirador.viewer({
      id: "viewer",
      language: thai ? "th" : "en",
      availableLanguages: { th: "ไทย", en: "English" },
      translations: thai ? { th: window.archiveMiradorThai } : {},
      windows: [windowConfig()],
      // In a frame the page's link back to the item takes the title's place.
      window: { allowClose: false, allowMaximize: false, defaultSideBarPanel: "info", sideBarOpenByDefault: false, hideWindowTitle: embed },
      workspaceControlPanel: { enabled: false },
      workspace: { showZoomControls: true },
    });
    if (params.get("q")) searchWithin(window.archiveViewer, params.get("q"));
    if (el.dataset.signedIn === "1") useSession(window.archiveViewer);
    followCanvas(window.archiveViewer);
  }

  // followCanvas announces Mirador's canvas and its OpenSeadragon viewer
  // (which Mirador makes after its first render, so it is looked for until
  // it is there) whenever either changes.
  function followCanvas(viewer) {
    var store = viewer.store;
    function look() {
      var st = store.getState(), win = Object.keys(st.windows)[0];
      var c = win && Mirador.getCurrentCanvas(st, { windowId: win }), ref = win && Mirador.OSDReferences.get(win);
      if (!c || !ref || !ref.current) return false;
      announce(ref.current, c.id);
      return true;
    }
    store.subscribe(look);
    var timer = setInterval(function () { if (look()) clearInterval(timer); }, 250);
  }

  if (el.clientWidth < 600 && !forceFull) compact(); else full();

  // On a restricted item's page or embed, once the viewer's sign-in window
  // (or, in an embed, the session) has given it an access token: a person
  // who may see the item gets the whole page; one who may not is told, by
  // the image's IIIF Auth 2.0 probe, where to ask (in place of Mirador's
  // bare "Forbidden"), and the probe is asked again until a grant lets them
  // see the image, which the viewer then shows in place, without a reload,
  // the page's words about the restriction giving way to a notice of the
  // grant. An embed is not reloaded: its viewer shows the image at once.
  if (el.dataset.reloadOnToken === "1") {
    var waiting = false;
    window.addEventListener("message", function (e) {
      if (e.origin !== window.location.origin || !e.data || !e.data.accessToken) return;
      checkAccess();
    });
  }
  function checkAccess() {
    if (waiting) return;
    waiting = true;
    probe(function (doc) {
      if (doc.status === 200) {
        if (embed) showGranted();
        else setTimeout(function () { window.location.reload(); }, 300);
        return;
      }
      var lang = el.dataset.lang === "th" ? "th" : "en";
      function say(v) { return v ? (v[lang] || v.en || [""])[0] : ""; }
      var note = document.createElement("p"), head = document.createElement("strong");
      note.className = "notice";
      note.id = "viewer-note";
      note.setAttribute("role", "status");
      head.textContent = say(doc.heading);
      note.append(head, " ", say(doc.note));
      el.parentNode.insertBefore(note, el);
      askForm(note);
      refused(false);
      var timer = setInterval(function () {
        refused(false);
        probe(function (again) {
          if (again.status !== 200) return;
          clearInterval(timer);
          note.remove();
          showGranted();
        });
      }, 5000);
    });
  }

  // askForm lets the person ask for access below the viewer's note, through
  // the JSON API, where the page has no form of its own (an embed, or an
  // item page opened before signing in through the viewer).
  function askForm(note) {
    if (!el.dataset.item || document.getElementById("request")) return;
    var form = document.createElement("form"), label = document.createElement("label");
    var text = document.createElement("textarea"), send = document.createElement("button"), said = document.createElement("span");
    form.id = "viewer-ask";
    form.className = "edit";
    text.id = "viewer-purpose";
    text.required = true;
    text.maxLength = 2000;
    label.htmlFor = text.id;
    label.textContent = el.dataset.askPurpose || "";
    send.type = "submit";
    send.textContent = el.dataset.askSend || "";
    said.setAttribute("role", "status");
    form.append(label, " ", text, " ", send, " ", said);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      send.disabled = true;
      fetch("/api/v1/items/" + encodeURIComponent(el.dataset.item) + "/requests?lang=" + encodeURIComponent(el.dataset.lang || ""), {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ purpose: text.value }),
      }).then(function (r) {
        if (r.status === 201) {
          var done = document.createElement("p");
          done.id = "viewer-asked";
          done.setAttribute("role", "status");
          done.textContent = el.dataset.askSent || "";
          form.replaceWith(done);
          return;
        }
        return r.text().then(function (why) { said.textContent = why.trim(); send.disabled = false; });
      }).catch(function () { send.disabled = false; });
    });
    note.after(form);
  }

  // showGranted has the viewer fetch the image again and puts a notice of
  // the grant in place of the page's words about the restriction, its
  // sign-in link and its form to ask.
  function showGranted() {
    refused(true);
    var viewer = window.archiveViewer;
    if (viewer && !viewer.store && viewer.open && compactSources) viewer.open(compactSources);
    var n = document.getElementById("restricted-note");
    if (n && n.dataset.granted) n.textContent = n.dataset.granted;
    ["request", "signin-link", "viewer-ask", "viewer-asked"].forEach(function (id) {
      var x = document.getElementById(id);
      if (x) (x.closest("p") || x).remove();
    });
  }

  // probe asks the IIIF Auth 2.0 probe of the item's first image.
  var probeURL;
  function probe(then) {
    var url = probeURL ? Promise.resolve(probeURL) : fetch(el.dataset.manifest).then(function (r) { return r.json(); }).then(function (m) {
      var info = imageServices(m)[0];
      if (info) probeURL = "/iiif/auth/probe/" + info.replace(/\/info\.json$/, "").split("/").pop();
      return probeURL;
    });
    url.then(function (u) {
      if (u) return fetch(u).then(function (r) { return r.json(); }).then(then);
    }).catch(function () { /* asked again at the next turn */ });
  }

  // refused takes Mirador's error dialogs about the image descriptions it
  // was refused away (the page's note says why) and, once a grant makes the
  // access token good, has Mirador fetch them again.
  function refused(again) {
    var viewer = window.archiveViewer;
    if (!viewer || !viewer.store) return;
    var store = viewer.store, st = store.getState(), win = Object.keys(st.windows)[0];
    Object.keys(st.infoResponses || {}).forEach(function (id) {
      if (!st.infoResponses[id].error) return;
      store.dispatch(Mirador.removeError(id));
      if (again) store.dispatch(Mirador.fetchInfoResponse({ imageId: id, windowId: win }));
    });
  }
})();
