// The archivists' uploader: a batch is created for the chosen library, then
// files go up with the tus protocol (resumable) and the report is followed.
(function () {
  var form = document.getElementById("batch");
  if (!form || !window.Uppy) return;
  var csrf = form.dataset.csrf;
  var report = document.getElementById("report");
  var batchID = null;
  // The uploader speaks the page's language (Uppy's Thai locale).
  var locale = document.documentElement.lang === "th" && Uppy.locales && Uppy.locales.th_TH;
  var uppy = window.archiveUppy = new Uppy.Uppy(locale ? { autoProceed: false, locale: locale } : { autoProceed: false })
    .use(Uppy.Dashboard, { inline: true, target: "#drop", height: 320, proudlyDisplayPoweredByUppy: false })
    .use(Uppy.Tus, { endpoint: "/api/v1/uploads/", headers: { "X-CSRF-Token": csrf }, chunkSize: 8 * 1024 * 1024, removeFingerprintOnSuccess: true });
  uppy.addPreProcessor(function (ids) {
    return fetch("/api/v1/batches", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ institution: form.institution.value, title: form.title.value, group: form.group.checked, expected: ids.length,
        access: { level: form.access.value } }),
    }).then(function (r) {
      if (!r.ok) return r.text().then(function (t) { throw new Error(t); });
      return r.json();
    }).then(function (b) { batchID = b.id; uppy.setMeta({ batch: b.id }); });
  });
  var progress = document.getElementById("progress");
  function show(pct) {
    progress.dataset.value = String(pct);
    progress.textContent = pct + " %";
  }
  uppy.on("progress", function (pct) { if (pct > Number(progress.dataset.value || 0)) show(pct); });
  // Uppy completes after the batch's report has accounted for every file
  // (see the post-processor below).
  uppy.on("complete", function (result) {
    if (result.failed.length === 0 && result.successful.length > 0) show(100);
    report.dataset.done = "1";
  });
  // Uppy says again that a refused file failed; the report already says why.
  var refused = {}; // reasons given by the batch's report
  uppy.on("error", function (err) {
    if (err && err.details && refused[err.details]) return;
    var li = document.createElement("li");
    li.className = "error"; li.setAttribute("role", "alert");
    li.textContent = String(err && err.message || err);
    report.appendChild(li);
  });
  // The server ingests each file once it has arrived and may refuse it (its
  // content is not what its name says, it is damaged…): the dashboard shows
  // a file as done only when the batch's report says it went in, and a
  // refused one as failed, with the reason in the page's language.
  var uploads = {}; // tus upload id → Uppy file id
  uppy.on("upload-success", function (file, response) {
    var url = response && response.uploadURL || file.tus && file.tus.uploadUrl;
    if (url) uploads[url.split("/").pop()] = file.id;
  });
  var bad = { refused: true, failed: true, expired: true };
  uppy.addPostProcessor(function (ids) {
    ids.forEach(function (id) {
      uppy.emit("postprocess-progress", uppy.getFile(id), { mode: "indeterminate", message: form.dataset.ingesting });
    });
    return follow().then(function (b) {
      b.files.forEach(function (f) {
        var file = uploads[f.upload] && uppy.getFile(uploads[f.upload]);
        if (!file) return;
        if (bad[f.status]) {
          var why = f.reason || f.label;
          refused[why] = true;
          uppy.emit("upload-error", file, new Error(why));
        }
        uppy.emit("postprocess-complete", file);
      });
    });
  });
  // follow shows the batch's report until every file is accounted for,
  // and gives the last report.
  function follow() {
    return fetchReport().then(function (b) {
      render(b);
      if (b.done) {
        if (copying(b)) setTimeout(followCopies, 2000);
        return b;
      }
      return new Promise(function (ok) { setTimeout(ok, 500); }).then(follow);
    });
  }
  function fetchReport() {
    var lang = document.documentElement.lang || "en";
    return fetch("/api/v1/batches/" + batchID + "?lang=" + lang, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) return r.text().then(function (t) { throw new Error(t); });
      return r.json();
    });
  }
  // rate says how many files are in and how fast pixels go in, since the
  // report was first followed.
  var rate = document.getElementById("rate"), since = 0;
  function showRate(b) {
    if (!rate) return;
    since = since || Date.now();
    // A file is "in" only when it went in; one refused is said as such,
    // so the count agrees with the dashboard's failed files.
    var done = 0, lost = 0, pixels = 0;
    b.files.forEach(function (f) {
      if (bad[f.status]) lost++;
      else if (f.status && ["uploading", "uploaded", "ingesting"].indexOf(f.status) < 0) done++;
      pixels += f.pixels || 0;
    });
    var secs = Math.max(1, (Date.now() - since) / 1000);
    rate.textContent = rate.dataset.words.replace("{1}", done).replace("{2}", b.files.length)
      .replace("{3}", ((done + lost) / secs).toFixed(1)).replace("{4}", (pixels / 1e6 / secs).toFixed(1)) +
      (lost ? " · " + rate.dataset.refused.replace("{1}", lost) : "");
  }
  function render(b) {
    showRate(b);
    report.innerHTML = "";
    b.files.forEach(function (f) {
      var li = document.createElement("li");
      li.className = "outcome " + f.status;
      li.textContent = f.name + ": " + (f.label || f.status) + (f.reason ? " — " + f.reason : "");
      if (f.item) {
        var a = document.createElement("a");
        a.href = "/items/" + f.item; a.textContent = " → " + f.item; li.appendChild(a);
      }
      if (f.copy) {
        // A recording's copy for browsers is made after the item is in.
        var c = document.createElement("span");
        c.className = "copy " + f.copy.state; c.setAttribute("role", "status");
        c.textContent = " · " + f.copy.said;
        li.appendChild(c);
      }
      report.appendChild(li);
    });
  }
  function copying(b) {
    return b.files.some(function (f) { return f.copy && f.copy.state !== "ready"; });
  }
  // followCopies goes on showing the report while recordings' copies for
  // browsers are being made.
  function followCopies() {
    fetchReport().then(function (b) {
      render(b);
      if (copying(b)) setTimeout(followCopies, 2000);
    });
  }
})();
