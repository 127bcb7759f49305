// "Select all" boxes for lists of checkboxes (the attendees of a venue session). Without
// JavaScript the form offers an "everyone attended" button instead, which this hides.
(function () {
  "use strict";
  document.querySelectorAll("[data-select-all]").forEach(function (all) {
    var form = all.form, name = all.getAttribute("data-select-all");
    if (!form) { return; }
    var boxes = function () { return form.querySelectorAll("input[type=checkbox][name='" + name + "']"); };
    var sync = function () {
      var list = Array.prototype.slice.call(boxes());
      var ticked = list.filter(function (box) { return box.checked; }).length;
      all.checked = list.length > 0 && ticked === list.length;
      all.indeterminate = ticked > 0 && ticked < list.length;
    };
    all.addEventListener("change", function () {
      boxes().forEach(function (box) { box.checked = all.checked; });
      sync();
    });
    form.addEventListener("change", function (event) {
      if (event.target !== all && event.target.name === name) { sync(); }
    });
    form.querySelectorAll("[data-js-hide]").forEach(function (el) { el.hidden = true; });
    all.closest("label").hidden = false;
    sync();
  });
})();
