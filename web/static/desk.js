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
  uppy.on("complete", function (result) {
    if (result.failed.length === 0 && result.successful.length > 0) show(100);
    follow();
  });
  uppy.on("error", function (err) {
    var li = document.createElement("li");
    li.className = "error"; li.setAttribute("role", "alert");
    li.textContent = String(err && err.message || err);
    report.appendChild(li);
  });
  function follow() {
    fetch("/api/v1/batches/" + batchID, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (b) {
      report.innerHTML = "";
      b.files.forEach(function (f) {
        var li = document.createElement("li");
        li.className = "outcome " + f.status;
        li.textContent = f.name + ": " + f.status + (f.error ? " — " + f.error : "");
        if (f.item) {
          var a = document.createElement("a");
          a.href = "/items/" + f.item; a.textContent = " → " + f.item; li.appendChild(a);
        }
        report.appendChild(li);
      });
      if (!b.done) setTimeout(follow, 500); else report.dataset.done = "1";
    });
  }
})();
