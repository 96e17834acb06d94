// AudioRecording and VideoRecording with the browser's MediaRecorder: record, play back, record again.
// A recording stops by itself at the maximum duration; one shorter than the minimum is refused on the
// spot. A good recording is uploaded at once (job.js waits for it on submit and retries it if it failed).
(function () {
  "use strict";
  var makers = window.CrowdComponents = window.CrowdComponents || {};
  var kit = window.CrowdKit = window.CrowdKit || {};

  var TYPES = {
    audio: ["audio/mp4", "audio/webm;codecs=opus", "audio/webm", "audio/ogg;codecs=opus"],
    video: ["video/mp4", "video/webm;codecs=vp9,opus", "video/webm;codecs=vp8,opus", "video/webm"]
  };

  function mimeType(kind) {
    if (!window.MediaRecorder || !MediaRecorder.isTypeSupported) return "";
    return TYPES[kind].filter(function (t) { return MediaRecorder.isTypeSupported(t); })[0] || "";
  }

  function extension(type, kind) {
    if (type.indexOf("mp4") >= 0) return kind === "audio" ? "m4a" : "mp4";
    if (type.indexOf("ogg") >= 0) return "ogg";
    return "webm";
  }

  function clock(seconds) {
    var s = Math.floor(seconds);
    return Math.floor(s / 60) + ":" + (s % 60 < 10 ? "0" : "") + (s % 60);
  }

  function plural(n) { return n + (n === 1 ? " second" : " seconds"); }

  function constraints(kind, orientation) {
    if (kind === "audio") return {audio: true};
    var video = true;
    if (orientation === "landscape") video = {width: {ideal: 1280}, height: {ideal: 720}};
    if (orientation === "portrait") video = {width: {ideal: 720}, height: {ideal: 1280}};
    return {audio: true, video: video};
  }

  function recorder(el) {
    var box = el.querySelector(".recorder");
    var kind = box.dataset.kind;
    var min = Number(box.dataset.min) || 0, max = Number(box.dataset.max) || 0;
    var startBtn = box.querySelector(".rec-start"), stopBtn = box.querySelector(".rec-stop");
    var againBtn = box.querySelector(".rec-again"), status = box.querySelector(".rec-status");
    var progress = box.querySelector(".rec-progress"), playback = box.querySelector(".rec-playback");
    var live = box.querySelector(".rec-live");
    var state = "idle";  // idle | starting | recording | done
    var stream = null, rec = null, chunks = [], began = 0, ticker = null, limit = null;
    var blob = null, url = null, saving = null, seconds = 0;

    function setState(next) {
      state = next;
      startBtn.hidden = state !== "idle";
      startBtn.disabled = false;
      stopBtn.hidden = state !== "recording";
      againBtn.hidden = state !== "done";
      progress.hidden = !(state === "recording" && max);
      if (live) live.hidden = state !== "recording";
      kit.changed(el);
    }

    function release() {
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null;
      if (live) live.srcObject = null;
      clearInterval(ticker);
      clearTimeout(limit);
    }

    function start() {
      if (!navigator.mediaDevices || !window.MediaRecorder) {
        status.textContent = "This browser cannot record " + kind + ". Please use a recent Chrome, Firefox or Safari.";
        return;
      }
      state = "starting";
      startBtn.disabled = againBtn.disabled = true;
      blob = null; url = null; saving = null;
      playback.hidden = true;
      playback.removeAttribute("src");
      var wanted = constraints(kind, box.dataset.orientation);
      navigator.mediaDevices.getUserMedia(wanted).catch(function (error) {
        // A camera without a microphone still makes a video.
        if (kind === "video") return navigator.mediaDevices.getUserMedia({video: wanted.video});
        throw error;
      }).then(function (media) {
        stream = media;
        var type = mimeType(kind);
        rec = new MediaRecorder(stream, type ? {mimeType: type} : undefined);
        chunks = [];
        rec.addEventListener("dataavailable", function (e) { if (e.data && e.data.size) chunks.push(e.data); });
        rec.addEventListener("stop", finished);
        rec.start(250);
        began = Date.now();
        if (live) { live.srcObject = stream; live.play().catch(function () {}); }
        againBtn.disabled = false;
        setState("recording");
        tick();
        ticker = setInterval(tick, 200);
        if (max) limit = setTimeout(stop, max * 1000);
      }).catch(function (error) {
        againBtn.disabled = false;
        setState(blob ? "done" : "idle");
        status.textContent = "Could not use your " + (kind === "audio" ? "microphone" : "camera") +
          " (" + (error.name || error) + "). Allow it in the browser and try again.";
      });
    }

    function tick() {
      var s = (Date.now() - began) / 1000;
      status.textContent = "Recording… " + clock(s) + (max ? " of at most " + clock(max) : "");
      if (max) progress.value = Math.min(s, max);
    }

    function stop() {
      if (state !== "recording") return;
      seconds = Math.min((Date.now() - began) / 1000, max || Infinity);
      clearTimeout(limit);
      clearInterval(ticker);
      rec.stop();
    }

    function finished() {
      release();
      blob = new Blob(chunks, {type: rec.mimeType || (kind + "/webm")});
      playback.src = URL.createObjectURL(blob);
      playback.hidden = false;
      setState("done");
      if (min && seconds < min) {
        status.textContent = "That was " + seconds.toFixed(1) + " s: record at least " + plural(min) + ".";
        blob = null;
        kit.changed(el);
        return;
      }
      save();
    }

    function save() {
      var name = kind + "-recording." + extension(blob.type, kind);
      status.textContent = "Saving your recording (" + seconds.toFixed(1) + " s)…";
      saving = kit.upload(blob, name).then(function (stored) {
        url = stored;
        status.textContent = "Recorded " + seconds.toFixed(1) + " s and saved. Play it back, or record again.";
        kit.changed(el);
        return stored;
      }, function (error) {
        saving = null;
        status.textContent = "Not saved yet (" + error.message + "); it is tried again when you submit.";
        throw error;
      });
      saving.catch(function () {});
      return saving;
    }

    startBtn.addEventListener("click", start);
    stopBtn.addEventListener("click", stop);
    againBtn.addEventListener("click", start);

    return {
      missingText: "Record your " + kind + " first." + (min ? " At least " + plural(min) + "." : ""),
      answered: function () { return Boolean(url || blob); },
      result: function () { return {url: url}; },
      restore: function (r) {
        if (!r || !r.url) return;
        url = r.url;
        playback.src = url;
        playback.hidden = false;
        status.textContent = "Your earlier recording. Play it back, or record again.";
        setState("done");
      },
      blocker: function () {
        return state === "recording" || state === "starting" ? "Stop the recording first." : "";
      },
      prepare: function () { return url ? Promise.resolve(url) : saving || save(); },
      hidden: function () { stop(); playback.pause(); }
    };
  }

  makers.AudioRecording = recorder;
  makers.VideoRecording = recorder;
})();
