// The task page's link with its sandboxed frame, which it can only reach by messages: the frame says how
// tall it is (so it is shown whole, without a scroll inside the page's scroll), and the auto-accept switch
// is sent without leaving the page (the answers typed in the frame stay) and passed on to the frame's form.
// Without JavaScript the frame keeps its fixed height and the switch reloads the page. A job's page (no
// frame) uses the switch the same way, so that the answers given on its screens stay too.
(function () {
  var frame = document.querySelector(".frame-wrap iframe");
  if (frame) window.addEventListener("message", function (event) {
    if (event.source !== frame.contentWindow || !event.data) return;
    var height = event.data.crowdFrameHeight;
    if (typeof height === "number" && height > 0) {
      frame.style.height = Math.min(Math.ceil(height), 20000) + "px";
      frame.classList.add("sized");
    }
  });
  var form = document.querySelector(".switch-form");
  if (!form || !window.fetch) return;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var wanted = form.elements.on.value === "1";
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: {"X-Requested-With": "fetch"}
    }).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      var button = form.querySelector("button");
      button.classList.toggle("on", wanted);
      button.setAttribute("aria-checked", wanted ? "true" : "false");
      form.elements.on.value = wanted ? "0" : "1";
      if (frame) frame.contentWindow.postMessage({crowdAutoNext: wanted}, "*");
    }).catch(function () { form.submit(); });
  });
})();
