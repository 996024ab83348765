// Live preview for the course editor: a progressive enhancement. Without it the
// "Preview" button does the same with a full page load. The server renders the
// preview (same sanitiser as published pages); this only swaps the panel in.
(function () {
  "use strict";
  var form = document.querySelector("form.editor-form");
  var panel = document.getElementById("preview-body");
  if (!form || !panel || !window.fetch || !window.DOMParser) return;
  var textarea = form.querySelector("textarea");
  var timer = null;
  var running = null;

  function refresh() {
    if (running) running.abort();
    running = window.AbortController ? new AbortController() : null;
    var data = new FormData(form);
    data.append("preview", "1");
    fetch(form.action || window.location.href, {
      method: "POST", body: data, credentials: "same-origin", signal: running ? running.signal : undefined
    }).then(function (response) {
      return response.text();
    }).then(function (html) {
      var page = new DOMParser().parseFromString(html, "text/html");
      var fresh = page.getElementById("preview-body");
      if (fresh) panel.replaceChildren.apply(panel, Array.prototype.slice.call(fresh.childNodes));
      var problems = page.getElementById("problems");
      var shown = document.getElementById("problems");
      if (shown && problems) shown.replaceChildren.apply(shown, Array.prototype.slice.call(problems.childNodes));
    }).catch(function () { /* offline or aborted: the Preview button still works */ });
  }

  textarea.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 700);  // after a pause in typing, not on every key
  });
})();
