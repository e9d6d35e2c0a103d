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
})();
