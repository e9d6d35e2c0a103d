// The unit form's item picker: words typed are searched among the
// library's items (titles in Thai and English); Add puts the item's
// identifier at the end of the unit's list of items.
(function () {
  var input = document.getElementById("item-find");
  var list = document.getElementById("item-found");
  var items = document.getElementById("items");
  if (!input || !list || !items) return;
  var timer = null, asked = 0;
  function ids() { return items.value.split(/\s+/).filter(Boolean); }
  function show(found) {
    list.textContent = "";
    if (found.length === 0 && input.value.trim() !== "") {
      var none = document.createElement("li");
      none.textContent = input.dataset.none;
      list.appendChild(none);
    }
    found.forEach(function (f) {
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button";
      b.dataset.id = f.id;
      var added = ids().indexOf(f.id) >= 0;
      b.textContent = added ? input.dataset.added : input.dataset.add;
      b.disabled = added;
      b.addEventListener("click", function () {
        if (ids().indexOf(f.id) < 0) items.value = ids().concat(f.id).join(" ");
        b.textContent = input.dataset.added;
        b.disabled = true;
      });
      var label = document.createElement("span");
      label.textContent = " " + f.title + (f.other ? " · " + f.other : "") + " (" + f.id + ")";
      li.appendChild(b);
      li.appendChild(label);
      list.appendChild(li);
    });
  }
  function find() {
    var n = ++asked;
    var q = new URLSearchParams({ institution: input.dataset.institution, q: input.value.trim(), lang: document.documentElement.lang });
    fetch("/desk/find-items?" + q, { credentials: "same-origin" }).then(function (r) {
      return r.ok ? r.json() : [];
    }).then(function (found) { if (n === asked) show(found); });
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(find, 250);
  });
  // Enter searches at once rather than sending the form.
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter") { e.preventDefault(); clearTimeout(timer); find(); }
  });
})();
