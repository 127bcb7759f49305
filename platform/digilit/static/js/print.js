// Enhancement only: the print link opens the browser's print dialog instead of the
// print-friendly page it leads to without JavaScript.
(function () {
  "use strict";
  var link = document.getElementById("print-certificate");
  if (link && window.print) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      window.print();
    });
  }
})();
