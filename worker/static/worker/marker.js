// ImageMarker: drawing over a picture with the finger or the mouse. The drawing is a canvas of the
// picture's own pixel size laid over it (the picture itself is never drawn into it, so a picture from
// any address can be used); it is saved as a PNG of the marks alone, transparent elsewhere, which lines
// up pixel for pixel with the picture. Strokes are kept as data so undo and redo replay them.
(function () {
  "use strict";
  var makers = window.CrowdComponents = window.CrowdComponents || {};
  var kit = window.CrowdKit = window.CrowdKit || {};
  var ZOOMS = [1, 1.5, 2, 3, 4];

  makers.ImageMarker = function (el) {
    var box = el.querySelector(".marker");
    var img = box.querySelector(".marker-image"), canvas = box.querySelector(".marker-canvas");
    var viewport = box.querySelector(".marker-viewport"), stage = box.querySelector(".marker-stage");
    var size = box.querySelector(".marker-size"), colour = box.querySelector(".marker-colour");
    var opacity = box.querySelector(".marker-opacity"), status = box.querySelector(".marker-status");
    var undoBtn = box.querySelector(".marker-undo"), redoBtn = box.querySelector(".marker-redo");
    var zoomIn = box.querySelector(".marker-zoom-in"), zoomOut = box.querySelector(".marker-zoom-out");
    var zoomLabel = box.querySelector(".marker-zoom");
    var tools = [].slice.call(box.querySelectorAll("[data-tool]"));
    var ctx = canvas.getContext("2d");
    var committed = document.createElement("canvas"), scratch = document.createElement("canvas");
    var strokes = [], undone = [], current = null, base = null;
    var tool = "draw", zoom = 0, version = 0, savedVersion = -1, url = null, saving = null;
    var drawn = false;  // whether anything is on the canvas that was not erased away

    function fit(width, height) {
      [canvas, committed, scratch].forEach(function (c) { c.width = width; c.height = height; });
      rebuild();
    }
    img.addEventListener("load", function () { fit(img.naturalWidth, img.naturalHeight); });
    img.addEventListener("error", function () {
      status.textContent = "The picture could not be loaded; you can still draw on the blank area.";
      stage.classList.add("no-picture");
      fit(800, 600);
    });
    if (img.complete && img.naturalWidth) fit(img.naturalWidth, img.naturalHeight);

    // One stroke: drawn whole at full strength on the scratch canvas, then laid on with its opacity,
    // so that where a stroke crosses itself it does not get darker.
    function paint(target, stroke) {
      var s = scratch.getContext("2d");
      s.clearRect(0, 0, scratch.width, scratch.height);
      s.lineCap = s.lineJoin = "round";
      s.lineWidth = stroke.width;
      s.strokeStyle = stroke.erase ? "#000" : stroke.colour;
      s.beginPath();
      s.moveTo(stroke.points[0].x, stroke.points[0].y);
      stroke.points.forEach(function (p) { s.lineTo(p.x, p.y); });
      if (stroke.points.length === 1) s.lineTo(stroke.points[0].x + 0.01, stroke.points[0].y);
      s.stroke();
      var t = target.getContext("2d");
      t.save();
      t.globalAlpha = stroke.erase ? 1 : stroke.opacity;
      t.globalCompositeOperation = stroke.erase ? "destination-out" : "source-over";
      t.drawImage(scratch, 0, 0);
      t.restore();
    }

    function render() {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(committed, 0, 0);
      if (current) paint(canvas, current);
    }

    function rebuild() {
      var c = committed.getContext("2d");
      c.clearRect(0, 0, committed.width, committed.height);
      if (base) c.drawImage(base, 0, 0, committed.width, committed.height);
      strokes.forEach(function (s) { paint(committed, s); });
      drawn = Boolean(base) || strokes.some(function (s) { return !s.erase; });
      render();
    }

    function changedDrawing() {
      version += 1;
      undoBtn.disabled = strokes.length === 0;
      redoBtn.disabled = undone.length === 0;
      kit.changed(el);
    }

    function point(event) {
      var r = canvas.getBoundingClientRect();
      return {x: (event.clientX - r.left) * canvas.width / r.width, y: (event.clientY - r.top) * canvas.height / r.height};
    }

    var panFrom = null;
    canvas.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) return;
      // Moving with a finger is the browser's own scrolling (the canvas lets it through in that tool);
      // with a mouse it is a drag.
      if (tool === "move" && event.pointerType !== "mouse") return;
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      if (tool === "move") {
        panFrom = {x: event.clientX, y: event.clientY, left: viewport.scrollLeft, top: viewport.scrollTop};
        return;
      }
      var scale = canvas.width / canvas.getBoundingClientRect().width;
      current = {
        points: [point(event)], erase: tool === "erase", colour: colour.value,
        opacity: Number(opacity.value) / 100, width: Number(size.value) * scale
      };
      render();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (panFrom) {
        viewport.scrollLeft = panFrom.left - (event.clientX - panFrom.x);
        viewport.scrollTop = panFrom.top - (event.clientY - panFrom.y);
        return;
      }
      if (!current) return;
      (event.getCoalescedEvents ? event.getCoalescedEvents() : [event]).forEach(function (e) {
        current.points.push(point(e));
      });
      render();
    });
    function end() {
      panFrom = null;
      if (!current) return;
      paint(committed, current);
      strokes.push(current);
      if (!current.erase) drawn = true;
      current = null;
      undone = [];
      render();
      changedDrawing();
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);

    tools.forEach(function (button) {
      button.addEventListener("click", function () {
        tool = button.dataset.tool;
        tools.forEach(function (b) { b.setAttribute("aria-checked", String(b === button)); });
        box.dataset.tool = tool;
      });
    });
    box.dataset.tool = tool;

    undoBtn.addEventListener("click", function () {
      if (!strokes.length) return;
      undone.push(strokes.pop());
      rebuild();
      changedDrawing();
    });
    redoBtn.addEventListener("click", function () {
      if (!undone.length) return;
      strokes.push(undone.pop());
      rebuild();
      changedDrawing();
    });

    // Zoom keeps the middle of what is seen in the middle.
    function setZoom(level) {
      var before = ZOOMS[zoom];
      zoom = Math.max(0, Math.min(ZOOMS.length - 1, level));
      var factor = ZOOMS[zoom] / before;
      var cx = viewport.scrollLeft + viewport.clientWidth / 2, cy = viewport.scrollTop + viewport.clientHeight / 2;
      stage.style.width = ZOOMS[zoom] * 100 + "%";
      viewport.scrollLeft = cx * factor - viewport.clientWidth / 2;
      viewport.scrollTop = cy * factor - viewport.clientHeight / 2;
      zoomLabel.textContent = Math.round(ZOOMS[zoom] * 100) + "%";
      zoomOut.disabled = zoom === 0;
      zoomIn.disabled = zoom === ZOOMS.length - 1;
      box.classList.toggle("zoomed", zoom > 0);
    }
    zoomIn.addEventListener("click", function () { setZoom(zoom + 1); });
    zoomOut.addEventListener("click", function () { setZoom(zoom - 1); });

    function upload() {
      var at = version;
      saving = new Promise(function (resolve) { committed.toBlob(resolve, "image/png"); }).then(function (png) {
        return kit.upload(png, "drawing.png");
      }).then(function (stored) {
        url = stored;
        savedVersion = at;
        saving = null;
        return stored;
      }, function (error) {
        saving = null;
        status.textContent = "The drawing could not be saved (" + error.message + "). Try again.";
        throw error;
      });
      return saving;
    }

    return {
      missingText: "Draw on the picture first.",
      answered: function () { return drawn; },
      result: function () { return {url: url}; },
      prepare: function () {
        if (savedVersion === version && url) return Promise.resolve(url);
        return saving || upload();
      },
      restore: function (r) {
        if (!r || !r.url) return;
        var earlier = new Image();
        earlier.addEventListener("load", function () {
          base = earlier;
          url = r.url;
          savedVersion = version;
          rebuild();
          kit.changed(el);
        });
        earlier.src = r.url;
      },
      blocker: function () { return current ? "Finish the stroke first." : ""; }
    };
  };
})();
