// Starts Mirador on the page's viewer element with the item's manifest.
(function () {
  var el = document.getElementById("viewer");
  if (!el || !window.Mirador) return;
  var embed = el.dataset.embed === "1";
  window.archiveViewer = Mirador.viewer({
    id: "viewer",
    language: el.dataset.lang === "th" ? "th" : "en",
    windows: [{ manifestId: el.dataset.manifest, thumbnailNavigationPosition: embed ? "off" : "far-bottom" }],
    window: { allowClose: false, allowMaximize: false, defaultSideBarPanel: "info", sideBarOpenByDefault: false },
    workspaceControlPanel: { enabled: false },
    workspace: { showZoomControls: true },
  });
  // On a restricted item's page, once the viewer's sign-in window has given
  // it an access token, show the whole page to the signed-in reader.
  if (el.dataset.reloadOnToken === "1") {
    window.addEventListener("message", function (e) {
      if (e.origin === window.location.origin && e.data && e.data.accessToken) {
        setTimeout(function () { window.location.reload(); }, 300);
      }
    });
  }
})();
