// The course editor's progressive enhancements. Without JavaScript the "Preview" button
// renders the preview with a full page load and the snippets are shown to copy.
(function () {
  "use strict";
  var form = document.querySelector("form.editor-form");
  var panel = document.getElementById("preview-body");
  if (!form) return;
  var textarea = form.querySelector("textarea");
  var timer = null;
  var running = null;

  // Live preview: the server renders it (same sanitiser as published pages); this only
  // swaps the panel in.
  function refresh() {
    if (!panel || !window.fetch || !window.DOMParser) return;
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

  function changed() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 700);  // after a pause in typing, not on every key
  }

  // Put a snippet where the cursor is, on lines of its own, and select it for editing.
  function insert(text, atEnd) {
    var value = textarea.value;
    var start = atEnd ? value.length : textarea.selectionStart;
    var end = atEnd ? value.length : textarea.selectionEnd;
    var before = value.slice(0, start);
    var after = value.slice(end);
    var block = text.replace(/^\n+/, "");
    if (before && !/\n\n$/.test(before)) block = (/\n$/.test(before) ? "\n" : "\n\n") + block;
    if (after && !/^\n/.test(after)) block = block + "\n";
    textarea.value = before + block + after;
    textarea.focus();
    textarea.setSelectionRange(before.length, before.length + block.length);
    changed();
  }

  if (!textarea) return;
  textarea.addEventListener("input", changed);
  Array.prototype.forEach.call(document.querySelectorAll("button.insert[data-insert]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { insert(button.getAttribute("data-insert"), false); });
  });
  Array.prototype.forEach.call(document.querySelectorAll("a[data-append]"), function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();  // keep what is typed: add to the text instead of reloading
      insert(link.getAttribute("data-append"), true);
      link.parentNode.hidden = true;
    });
  });
})();
