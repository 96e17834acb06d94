// Counts down to the assignment's deadline; without JavaScript the deadline time is shown as text.
(function () {
  var box = document.querySelector(".countdown[data-deadline]");
  if (!box) return;
  var deadline = Date.parse(box.getAttribute("data-deadline"));
  var left = box.querySelector(".left");
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var s = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    left.textContent = s === 0 ? "— time is up" : "(" + (h ? h + ":" + pad(m) : m) + ":" + pad(s % 60) + " left)";
    box.classList.toggle("low", s < 120);
    if (s > 0) setTimeout(tick, 1000);
  }
  tick();
})();
