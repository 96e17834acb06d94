// Counts down to the assignment's deadline; without JavaScript the deadline time is shown as text.
// Screen readers hear the time left at a few moments (10, 5 and 1 minute, and at the end), not every
// second. When the time is up the task is put away and the worker is told what happened.
(function () {
  var box = document.querySelector(".countdown[data-deadline]");
  if (!box) return;
  var deadline = Date.parse(box.getAttribute("data-deadline"));
  var left = box.querySelector(".left");
  var spoken = box.querySelector(".spoken");
  var said = {};
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function say(text, key) {
    if (spoken && !said[key]) { said[key] = true; spoken.textContent = text; }
  }
  function tick() {
    var s = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    left.textContent = s === 0 ? "— time is up" : "(" + (h ? h + ":" + pad(m) : m) + ":" + pad(s % 60) + " left)";
    box.classList.toggle("low", s < 120);
    [10, 5, 1].forEach(function (minutes) {
      if (s <= minutes * 60 && s > minutes * 60 - 5) say(minutes + (minutes === 1 ? " minute" : " minutes") + " left", minutes);
    });
    if (s > 0) { setTimeout(tick, 1000); return; }
    document.body.classList.add("time-up");
    var notice = document.querySelector(".time-up-notice");
    if (notice) notice.hidden = false;
    say("Time is up. This task went back to the pool.", "end");
  }
  tick();
})();
