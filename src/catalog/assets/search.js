(function () {
  var data = JSON.parse(document.getElementById("search-index").textContent);
  var text = {};
  for (var i = 0; i < data.length; i++) text[data[i].slug] = data[i].text;
  var input = document.getElementById("search");
  var items = Array.prototype.slice.call(document.querySelectorAll("#subjects > li"));
  var count = document.getElementById("count");
  var empty = document.getElementById("empty");
  function apply() {
    var terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    items.forEach(function (li) {
      var t = text[li.getAttribute("data-slug")] || "";
      var ok = terms.every(function (w) { return t.indexOf(w) >= 0; });
      li.hidden = !ok;
      if (ok) shown++;
    });
    count.textContent = shown + " of " + items.length;
    empty.hidden = shown !== 0;
    // Keep the query in the address, so a search can be shared (some browsers refuse this on file://).
    try { history.replaceState(null, "", input.value ? "#q=" + encodeURIComponent(input.value) : location.pathname); } catch (e) {}
  }
  var m = /^#q=(.*)$/.exec(location.hash);
  if (m) input.value = decodeURIComponent(m[1]);
  input.addEventListener("input", apply);
  apply();
})();
