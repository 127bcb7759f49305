// Enhancements of the quiz, which works without them (one form, one POST):
// 1. On a phone, one question per screen with "question k of n" and next/previous buttons.
// 2. "order" questions get up/down buttons beside each step's list.
// 3. A step chosen twice in an "order" question is flagged at once (the server also checks).
(function () {
  "use strict";
  var form = document.querySelector("form.quiz[data-progress]");
  if (!form) { return; }
  var questions = Array.prototype.slice.call(form.querySelectorAll("fieldset.question"));
  var text = function (name, k, n) {
    return (form.getAttribute("data-" + name) || "").replace("{k}", k).replace("{n}", n);
  };

  function button(label, className) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = className;
    b.textContent = label;
    return b;
  }

  // --- order questions: duplicates flagged, up/down buttons ---
  function checkTwice(fieldset) {
    var seen = {}, twice = false;
    fieldset.querySelectorAll("select").forEach(function (s) {
      if (s.value && seen[s.value]) { twice = true; }
      seen[s.value] = true;
    });
    var note = fieldset.querySelector(".twice");
    if (twice && !note) {
      note = document.createElement("p");
      note.className = "error twice";
      note.setAttribute("role", "alert");
      note.textContent = text("twice");
      fieldset.appendChild(note);
    } else if (!twice && note) {
      note.parentNode.removeChild(note);
    }
    fieldset.classList.toggle("has-error", twice || !!fieldset.querySelector("[id$='-error']"));
  }

  function swap(selects, i, j) {
    if (j < 0 || j >= selects.length) { return; }
    var v = selects[i].value;
    selects[i].value = selects[j].value;
    selects[j].value = v;
    selects[j].focus();
  }

  function enhanceOrder(fieldset) {
    var selects = Array.prototype.slice.call(fieldset.querySelectorAll("select"));
    selects.forEach(function (select, i) {
      var up = button("↑", "small"), down = button("↓", "small");
      up.setAttribute("aria-label", text("up", i + 1));
      down.setAttribute("aria-label", text("down", i + 1));
      // Tap targets for touch; the keyboard already moves through the lists themselves.
      up.tabIndex = -1;
      down.tabIndex = -1;
      up.addEventListener("click", function () { swap(selects, i, i - 1); checkTwice(fieldset); });
      down.addEventListener("click", function () { swap(selects, i, i + 1); checkTwice(fieldset); });
      var moves = document.createElement("span");
      moves.className = "moves";
      moves.appendChild(up);
      moves.appendChild(down);
      select.parentNode.appendChild(moves);
      select.addEventListener("change", function () { checkTwice(fieldset); });
    });
  }
  questions.forEach(function (q) { if (q.hasAttribute("data-order")) { enhanceOrder(q); } });

  // --- one question per screen on a phone ---
  if (questions.length < 2 || !window.matchMedia("(max-width: 48rem)").matches) { return; }
  var submit = form.querySelector("[type=submit]");
  var nav = document.createElement("div");
  nav.className = "quiz-nav";
  var prev = button("← " + text("prev"), "");
  var next = button(text("next") + " →", "primary");
  var where = document.createElement("p");
  where.className = "quiz-progress";
  where.setAttribute("aria-live", "polite");
  nav.appendChild(prev);
  nav.appendChild(next);
  form.insertBefore(where, questions[0]);
  form.insertBefore(nav, submit);
  var current = Math.max(0, questions.findIndex(function (q) {
    return q.classList.contains("has-error");
  }));

  function show(k, focus) {
    current = k;
    questions.forEach(function (q, i) { q.hidden = i !== k; });
    where.textContent = text("progress", k + 1, questions.length);
    prev.hidden = k === 0;
    next.hidden = k === questions.length - 1;
    submit.hidden = k !== questions.length - 1;
    if (focus) {
      var legend = questions[k].querySelector("legend");
      legend.setAttribute("tabindex", "-1");
      legend.focus();
    }
  }
  prev.addEventListener("click", function () { show(current - 1, true); });
  next.addEventListener("click", function () { show(current + 1, true); });
  show(current, false);
})();
