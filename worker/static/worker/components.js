// The components of a job's screens, each made live from the markup the platform rendered for it.
//
// Every maker takes the component's element and returns its part, which job.js asks:
//   answered()  whether the worker has given an answer (interactive components)
//   result()    the answer in the result shape of its type ({selectedOption}, {rating}, ...)
//   restore(r)  put an earlier answer back (soft-rejected work being redone)
//   blocker()   why the worker cannot go on yet ("" when they can): media to play through, a recording
//   prepare()   a promise settled once what the answer needs is stored (uploads); optional
//   shown(), hidden()  the screen holding it was shown or left
// A part tells the page that its answer or blocker changed with the "crowd:change" event.
(function () {
  "use strict";
  var makers = window.CrowdComponents = window.CrowdComponents || {};
  // What the components share: telling the page of a change, and uploading (set by job.js).
  var kit = window.CrowdKit = window.CrowdKit || {};

  function changed(el) {
    el.dispatchEvent(new CustomEvent("crowd:change", {bubbles: true}));
  }
  kit.changed = changed;

  function choice(el) {
    var options = [].slice.call(el.querySelectorAll(".choice-option"));
    var selected = null;
    function select(value) {
      selected = value;
      options.forEach(function (o) { o.setAttribute("aria-pressed", String(o.dataset.value === value)); });
      changed(el);
    }
    options.forEach(function (o) {
      o.addEventListener("click", function () { select(o.dataset.value); });
    });
    return {
      answered: function () { return selected !== null; },
      result: function () { return {selectedOption: selected}; },
      restore: function (r) { if (r && r.selectedOption != null) select(String(r.selectedOption)); }
    };
  }
  makers.BinaryChoice = choice;
  makers.BinaryImageChoice = choice;

  // Stars as a slider: a tap on a star's left part gives a half star where half stars are allowed;
  // arrow keys move by one step (half or whole).
  makers.Rating = function (el) {
    var bar = el.querySelector(".rating");
    var stars = [].slice.call(bar.querySelectorAll(".star"));
    var label = el.querySelector(".rating-value");
    var half = bar.hasAttribute("data-half");
    var steps = stars.length;
    var value = 0;
    function set(v) {
      value = Math.max(0, Math.min(steps, v));
      stars.forEach(function (star, i) {
        var fill = Math.max(0, Math.min(1, value - i));
        star.style.setProperty("--fill", fill * 100 + "%");
      });
      var text = value ? value + " of " + steps + " stars" : "not rated";
      bar.setAttribute("aria-valuenow", String(value));
      bar.setAttribute("aria-valuetext", text);
      if (label) label.textContent = value ? value + " / " + steps : label.textContent;
      changed(el);
    }
    bar.addEventListener("click", function (event) {
      var star = event.target.closest(".star");
      if (!star) return;
      var n = Number(star.dataset.star);
      var box = star.getBoundingClientRect();
      // The left part gives the half star; a tap on the middle (where a finger aims) the whole one.
      set(half && event.clientX - box.left < box.width * 0.45 ? n - 0.5 : n);
    });
    bar.addEventListener("keydown", function (event) {
      var by = half ? 0.5 : 1;
      var keys = {ArrowRight: by, ArrowUp: by, ArrowLeft: -by, ArrowDown: -by};
      if (event.key in keys) { event.preventDefault(); set(Math.max(by, value + keys[event.key])); }
      else if (event.key === "Home") { event.preventDefault(); set(by); }
      else if (event.key === "End") { event.preventDefault(); set(steps); }
    });
    set(0);
    return {
      answered: function () { return value > 0; },
      result: function () { return {rating: value}; },
      restore: function (r) { if (r && typeof r.rating === "number") set(r.rating); }
    };
  };

  // Up and down arrows within [min, max]; values are rounded to the step's decimals, so that 0.1 + 0.2
  // shows as 0.3.
  makers.Stepper = function (el) {
    var box = el.querySelector(".stepper");
    var output = box.querySelector(".stepper-value");
    var down = box.querySelector(".step-down"), up = box.querySelector(".step-up");
    var min = Number(box.dataset.min), max = Number(box.dataset.max), step = Number(box.dataset.step) || 1;
    var decimals = Math.max(decimalsOf(step), decimalsOf(min));
    var value = Number(box.dataset.start);
    function decimalsOf(n) { var s = String(n); return s.indexOf(".") < 0 ? 0 : s.length - s.indexOf(".") - 1; }
    function set(v) {
      value = Math.max(min, Math.min(max, Number(v.toFixed(decimals))));
      output.textContent = String(value);
      output.setAttribute("aria-valuenow", String(value));
      down.disabled = value - step < min - 1e-9;
      up.disabled = value + step > max + 1e-9;
      changed(el);
    }
    down.addEventListener("click", function () { set(value - step); });
    up.addEventListener("click", function () { set(value + step); });
    output.addEventListener("keydown", function (event) {
      if (event.key === "ArrowUp") { event.preventDefault(); if (!up.disabled) set(value + step); }
      if (event.key === "ArrowDown") { event.preventDefault(); if (!down.disabled) set(value - step); }
    });
    set(value);
    return {
      answered: function () { return true; },
      result: function () { return {result: value}; },
      restore: function (r) { if (r && typeof r.result === "number") set(r.result); }
    };
  };

  makers.TextInput = function (el) {
    var input = el.querySelector("input");
    input.addEventListener("input", function () { changed(el); });
    return {
      answered: function () { return input.value.trim() !== ""; },
      result: function () { return {text: input.value}; },
      restore: function (r) { if (r && typeof r.text === "string") input.value = r.text; }
    };
  };

  makers.Toggle = function (el) {
    var box = el.querySelector("input[type=checkbox]");
    var dialog = el.querySelector("dialog.explain");
    box.addEventListener("change", function () { changed(el); });
    if (dialog) {
      var opener = el.querySelector(".explain-open");
      opener.addEventListener("click", function () {
        if (dialog.showModal) dialog.showModal(); else dialog.setAttribute("open", "");
      });
      el.querySelector(".explain-close").addEventListener("click", function () {
        if (dialog.close) dialog.close(); else dialog.removeAttribute("open");
        opener.focus();
      });
      // A tap outside the popup's box (on its backdrop) closes it too.
      dialog.addEventListener("click", function (event) { if (event.target === dialog) dialog.close(); });
    }
    return {
      answered: function () { return true; },
      result: function () { return {checked: box.checked}; },
      restore: function (r) { if (r && typeof r.checked === "boolean") box.checked = r.checked; }
    };
  };

  // Audio and Video: autoplay when their screen is shown (not while hidden), pause when it is left, and
  // with mustListen / mustWatch hold the worker until every moment was played (seeking to the end does
  // not count: what was played is read from the element's played ranges).
  function media(el) {
    var player = el.querySelector(".media");
    var note = el.querySelector(".media-must");
    var must = player.hasAttribute("data-must");
    var done = !must;
    // A recording made by a browser may not say how long it is until it has been played to its end.
    function playedThrough(ended) {
      var d = isFinite(player.duration) ? player.duration : ended ? player.currentTime : 0;
      if (!d) return false;
      var total = 0;
      for (var i = 0; i < player.played.length; i++) total += player.played.end(i) - player.played.start(i);
      return total >= d - 0.3;
    }
    function check(event) {
      if (done || !playedThrough(event && event.type === "ended")) return;
      done = true;
      if (note) { note.textContent = "Played through — you can go on."; note.classList.add("done"); }
      changed(el);
    }
    ["timeupdate", "ended", "pause"].forEach(function (name) { player.addEventListener(name, check); });
    return {
      blocker: function () {
        if (done) return "";
        return player.tagName === "VIDEO" ? "Watch the whole video first." : "Listen to the whole recording first.";
      },
      shown: function () {
        if (!player.hasAttribute("data-autoplay")) return;
        var playing = player.play();
        // Browsers refuse to start sound before the worker has touched the page: the controls stay.
        if (playing && playing.catch) playing.catch(function () {});
      },
      hidden: function () { player.pause(); }
    };
  }
  makers.Audio = media;
  makers.Video = media;
})();
