// Narrows the commune list as soon as a province is chosen. Without JavaScript the
// "show the communes" button does the same through the server.
(function () {
  "use strict";
  var province = document.getElementById("province");
  var commune = document.getElementById("commune");
  if (!province || !commune || !window.fetch) { return; }
  document.querySelectorAll("[data-js-hide]").forEach(function (el) { el.hidden = true; });
  var asked = 0; // with the arrow keys, one request per province passed: only the last counts
  province.addEventListener("change", function () {
    var placeholder = commune.options[0], mine = ++asked;
    commune.disabled = true;
    fetch("/auth/communes?province=" + encodeURIComponent(province.value))
      .then(function (r) { return r.json(); })
      .then(function (rows) {
        if (mine !== asked) { return; }
        commune.replaceChildren(placeholder);
        rows.forEach(function (row) {
          commune.appendChild(new Option(row.name, row.code));
        });
      })
      .finally(function () { if (mine === asked) { commune.disabled = false; } });
  });
})();
