/* Quizzes on cheap phones: answers kept on the device while a quiz is open (a reload or a
   dropped connection loses nothing), and a live countdown when there is a time limit.
   The server stays the judge: it grades, refuses late answers and warns about unanswered
   questions. Without JavaScript the quiz works as before. */
(function () {
  "use strict";
  var PREFIX = "lms-quiz-";
  var KEEP_DAYS = 14;
  var path = location.pathname.match(/\/attempts\/(\d+)(\/result)?\/?$/);
  if (!path) { return; }
  var key = PREFIX + path[1];

  function read(name) {
    try { return JSON.parse(localStorage.getItem(name) || "null"); } catch (e) { return null; }
  }
  function forget(name) {
    try { localStorage.removeItem(name); } catch (e) { /* storage switched off: nothing kept */ }
  }

  // Answers left behind by attempts that were never finished do not pile up.
  try {
    for (var i = localStorage.length - 1; i >= 0; i--) {
      var name = localStorage.key(i);
      var saved = name && name.indexOf(PREFIX) === 0 ? read(name) : null;
      if (saved && Date.now() - (saved.at || 0) > KEEP_DAYS * 864e5) { forget(name); }
    }
  } catch (e) { /* no storage */ }

  if (path[2]) { forget(key); return; }  // the result page: the attempt was submitted

  var form = document.querySelector("form.quiz");
  if (form) { keepAnswers(form); }
  var deadline = document.querySelector(".deadline[data-seconds-left]");
  if (deadline) { countDown(deadline); }

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) { return /^q\d+$/.test(el.name); });
  }

  function answers() {
    var given = {};
    fields().forEach(function (el) {
      var chosen = el.type === "radio" || el.type === "checkbox" ? el.checked : el.value.trim() !== "";
      if (chosen) { (given[el.name] = given[el.name] || []).push(el.value); }
    });
    return given;
  }

  function keepAnswers(form) {
    var filled = Object.keys(answers()).length > 0;  // the server sent them back: they are newer
    var saved = read(key);
    if (!filled && saved && saved.answers) {
      var restored = false;
      fields().forEach(function (el) {
        var values = saved.answers[el.name];
        if (!values) { return; }
        if (el.type === "radio" || el.type === "checkbox") {
          el.checked = values.indexOf(el.value) !== -1;
        } else {
          el.value = values[0];
        }
        restored = true;
      });
      var note = document.querySelector("p.restored");
      if (restored && note) { note.hidden = false; }
    }
    var save = function () {
      try {
        localStorage.setItem(key, JSON.stringify({at: Date.now(), answers: answers()}));
      } catch (e) { /* full or switched off: the quiz still works */ }
    };
    form.addEventListener("change", save);
    form.addEventListener("input", save);
    if (filled) { save(); }
  }

  function countDown(box) {
    var shown = box.querySelector(".countdown");
    var clock = shown && shown.querySelector("strong");
    if (!clock) { return; }
    // Counted from the seconds the server gave, not the phone's clock, which may be wrong.
    var end = Date.now() + parseInt(box.getAttribute("data-seconds-left"), 10) * 1000;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var timer;
    var tick = function () {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      var h = Math.floor(left / 3600), m = Math.floor(left % 3600 / 60), s = left % 60;
      clock.textContent = (h ? h + ":" + pad(m) : m) + ":" + pad(s);
      box.classList.toggle("ending", left <= 60);
      if (left === 0) {
        clearInterval(timer);
        shown.textContent = box.getAttribute("data-text-over");
        shown.setAttribute("role", "alert");
      }
    };
    shown.hidden = false;
    tick();
    timer = setInterval(tick, 1000);
  }
})();
