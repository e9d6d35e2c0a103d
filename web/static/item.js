// A copy button for the citation, where the browser allows it; without
// JavaScript the citation is plain text to select.
(function () {
  var b = document.getElementById("copy-citation");
  if (!b || !navigator.clipboard) return;
  b.hidden = false;
  b.addEventListener("click", function () {
    navigator.clipboard.writeText(document.getElementById("citation").textContent);
  });
})();
