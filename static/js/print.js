// "Print / save as PDF" on a lesson kit: the button stays hidden without JavaScript,
// where the page's text explains the browser's own Print command instead.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll(".kit-print");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function () { window.print(); });
    }
  });
})();
