// A job done screen by screen: one screen shown at a time, Back and Next between them (answers stay, as
// every screen stays in the page), and Submit on the last one, which stores recordings and drawings,
// then posts one result per interactive component with each screen's start and completion times.
// The components themselves live in components.js, recorder.js and marker.js (window.CrowdComponents).
(function () {
  "use strict";
  var root = document.getElementById("job");
  if (!root) return;
  var makers = window.CrowdComponents || {};
  var screens = [].slice.call(root.querySelectorAll(".screen"));
  var back = root.querySelector(".job-back"), next = root.querySelector(".job-next");
  var submit = root.querySelector(".job-submit"), wait = root.querySelector(".job-wait");
  var problem = root.querySelector(".job-problem");
  var currentLabel = root.querySelector(".job-current"), bar = root.querySelector(".job-bar span");
  var current = 0, sending = false;
  var saveDraft = function () {}, forgetDraft = function () {};
  var times = screens.map(function () { return {startedAt: null, completedAt: null}; });

  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  // Stores a recording or drawing with the platform; resolves to its URL.
  function upload(blob, filename) {
    var body = new FormData();
    body.append("file", blob, filename);
    return fetch(root.dataset.uploadUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"X-CSRFToken": csrfToken(), "Accept": "application/json"}
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (data) {
        var url = typeof data === "string" ? data : data && ((data.data && data.data.url) || data.url);
        if (response.ok && url) return url;
        throw new Error(errorText(data) || "The file could not be stored (" + response.status + ").");
      });
    });
  }
  (window.CrowdKit = window.CrowdKit || {}).upload = upload;

  function errorText(data) {
    if (!data) return "";
    if (data.errors && data.errors.length) return data.errors[0].message || data.errors[0].detail;
    return data.message || data.detail || "";
  }

  var parts = screens.map(function (screen) {
    return [].slice.call(screen.querySelectorAll(".component")).map(function (el) {
      var make = makers[el.dataset.type];
      var part = (make && make(el)) || {};
      part.el = el;
      part.index = Number(el.dataset.index);
      part.interactive = el.hasAttribute("data-interactive");
      part.required = el.hasAttribute("data-required");
      return part;
    });
  });

  function say(el, text) {
    el.textContent = text || "";
    el.hidden = !text;
  }

  // What keeps the worker on this screen: media not played through, a recording going on.
  function blockerOf(index) {
    for (var i = 0; i < parts[index].length; i++) {
      var why = parts[index][i].blocker ? parts[index][i].blocker() : "";
      if (why) return why;
    }
    return "";
  }

  // Required answers missing on a screen: each is pointed out at its component; true if all are there.
  function checkAnswers(index) {
    var ok = true;
    parts[index].forEach(function (part) {
      var missing = part.required && part.answered && !part.answered();
      var own = part.el.querySelector(".component-problem");
      say(own, missing ? (part.missingText || "Please answer this.") : "");
      part.el.classList.toggle("has-problem", missing);
      if (missing && ok) { ok = false; part.el.scrollIntoView({block: "center", behavior: "smooth"}); }
    });
    return ok;
  }

  function refresh() {
    var why = blockerOf(current);
    say(wait, why);
    var last = current === screens.length - 1;
    back.hidden = current === 0;
    next.hidden = last;
    submit.hidden = !last;
    next.disabled = Boolean(why) || sending;
    submit.disabled = Boolean(why) || sending;
  }

  function show(index) {
    parts[current].forEach(function (p) { if (p.hidden && index !== current) p.hidden(); });
    screens[current].hidden = true;
    current = index;
    screens[current].hidden = false;
    if (!times[current].startedAt) times[current].startedAt = new Date().toISOString();
    currentLabel.textContent = String(current + 1);
    bar.style.width = ((current + 1) / screens.length) * 100 + "%";
    say(problem, "");
    parts[current].forEach(function (p) { if (p.shown) p.shown(); });
    refresh();
    saveDraft();
    root.scrollIntoView({block: "start"});
  }

  function leaveForward() {
    if (blockerOf(current) || !checkAnswers(current)) return false;
    times[current].completedAt = new Date().toISOString();
    return true;
  }

  back.addEventListener("click", function () { if (current > 0) show(current - 1); });
  next.addEventListener("click", function () { if (leaveForward()) show(current + 1); });
  submit.addEventListener("click", function () {
    if (!leaveForward()) return;
    // Every screen was checked when it was left; a worker may still have gone back and changed one.
    for (var i = 0; i < screens.length; i++) {
      if (blockerOf(i) || !checkAnswers(i)) { show(i); checkAnswers(i); return; }
    }
    send();
  });
  root.addEventListener("crowd:change", function (event) {
    var el = event.target.closest && event.target.closest(".component");
    if (el && el.classList.contains("has-problem")) {
      el.classList.remove("has-problem");
      say(el.querySelector(".component-problem"), "");
    }
    refresh();
    saveDraft();
  });

  // One entry per screen, in the job's order; results keyed by the component's index on its screen.
  function payload() {
    return {
      screens: screens.map(function (screen, i) {
        var results = {};
        parts[i].forEach(function (p) {
          if (p.interactive && p.answered && p.answered()) results[String(p.index)] = p.result();
        });
        return {
          screen: Number(screen.dataset.screenId),
          startedAt: times[i].startedAt,
          completedAt: times[i].completedAt,
          results: results
        };
      })
    };
  }

  function send() {
    sending = true;
    refresh();
    say(wait, "Saving recordings and drawings…");
    var preparing = [];
    parts.forEach(function (list) {
      list.forEach(function (p) { if (p.prepare && p.answered && p.answered()) preparing.push(p.prepare()); });
    });
    Promise.all(preparing).then(function () {
      say(wait, "Sending your answers…");
      return fetch(root.dataset.submitUrl, {
        method: "POST",
        body: JSON.stringify({answers: payload()}),
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken(), "Accept": "application/json"}
      });
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok && data.redirect) { forgetDraft(); window.location.assign(data.redirect); return; }
        refused(data, response.status);
      });
    }).catch(function (error) {
      refused({message: error.message}, 0);
    });
  }

  // The server refused the answers as a whole: show why, at the component at fault where it says which.
  function refused(data, status) {
    sending = false;
    if (data && data.redirect) { forgetDraft(); window.location.assign(data.redirect); return; }
    var message = errorText(data) || "Your answers could not be sent (" + (status || "no connection") + "). Try again.";
    var place = /screens\[(\d+)\](?:\.results\[(\d+)\])?/.exec((data && data.field) || "");
    // The field says where: "answers.screens[1].results[3].rating" is the second screen's component 3.
    var at = place ? Number(place[1]) : -1;
    var index = place && place[2] ? Number(place[2]) : data && data.index != null ? Number(data.index) : -1;
    if (at >= 0 && at < screens.length) {
      show(at);
      var part = parts[at].filter(function (p) { return p.index === index; })[0];
      if (part) {
        // At the component its number says nothing to the worker.
        say(part.el.querySelector(".component-problem"), message.replace(/^Component \d+: /, ""));
        part.el.classList.add("has-problem");
        part.el.scrollIntoView({block: "center"});
        message = "Not sent: please look at the answer marked above.";
      }
    }
    say(problem, message);
    refresh();
  }

  function restoreAll(answers) {
    ((answers && answers.screens) || []).forEach(function (screen, i) {
      var results = screen.results || {};
      (parts[i] || []).forEach(function (p) {
        if (p.restore && results[String(p.index)]) p.restore(results[String(p.index)]);
      });
    });
  }

  // A draft of the answers in the tab's session storage, so that a reload (or coming back from the list
  // of tasks) does not lose them. A recording is kept once it is uploaded; a drawing, uploaded only at
  // submit, is not.
  var draftKey = "crowd-job-draft:" + root.dataset.submitUrl;
  var draft = null;
  try { draft = JSON.parse(window.sessionStorage.getItem(draftKey) || "null"); } catch (e) { draft = null; }
  saveDraft = function () {
    try {
      window.sessionStorage.setItem(draftKey, JSON.stringify({current: current, times: times, answers: payload()}));
    } catch (e) { /* storage full or refused: the answers stay in the page */ }
  };
  forgetDraft = function () {
    try { window.sessionStorage.removeItem(draftKey); } catch (e) { /* nothing kept */ }
  };

  // Soft-rejected work being redone starts from the answers sent before, unless a draft is newer.
  var earlier = document.getElementById("job-earlier-answers");
  if (draft && draft.times && draft.times.length === screens.length) {
    restoreAll(draft.answers);
    times = draft.times;
  } else if (earlier) {
    restoreAll(JSON.parse(earlier.textContent || "null"));
  }
  if (!times[0].startedAt) times[0].startedAt = new Date().toISOString();
  parts[0].forEach(function (p) { if (p.shown) p.shown(); });
  refresh();
  if (draft && draft.current > 0 && draft.current < screens.length) show(draft.current);
  saveDraft();
  window.CrowdJob = {show: show, payload: payload, current: function () { return current; }};
})();
