// Narrows the commune list as soon as a province is chosen. Without JavaScript the
// "show the communes" button does the same through the server.
(function () {
  "use strict";
  var province = document.getElementById("province");
  var commune = document.getElementById("commune");
  if (!province || !commune || !window.fetch) { return; }
  document.querySelectorAll("[data-js-hide]").forEach(function (el) { el.hidden = true; });
  province.addEventListener("change", function () {
    var placeholder = commune.options[0];
    commune.disabled = true;
    fetch("/auth/communes?province=" + encodeURIComponent(province.value))
      .then(function (r) { return r.json(); })
      .then(function (rows) {
        commune.replaceChildren(placeholder);
        rows.forEach(function (row) {
          commune.appendChild(new Option(row.name, row.code));
        });
      })
      .finally(function () { commune.disabled = false; });
  });
})();
