// Capture at the window: the pages of one capture-list item from the document camera
// or phone camera (getUserMedia) or from scans, kept in the browser until saved, where
// the clerk may reorder, retake or delete a page; then sent in order with each page's
// SHA-256 so the server refuses a page that arrived cut off. Without this script the
// form posts the chosen files as they are.
(function () {
  "use strict";

  function hex(buffer) {
    return Array.from(new Uint8Array(buffer)).map(function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  function digest(blob) {
    if (!(window.crypto && window.crypto.subtle)) return Promise.resolve("");
    return blob.arrayBuffer().then(function (data) { return window.crypto.subtle.digest("SHA-256", data); }).then(hex);
  }

  function go(next) {
    // back to the page, read again (a change of the #fragment alone would not reload it)
    var url = new URL(next, window.location.href);
    if (url.pathname === window.location.pathname && url.search === window.location.search) {
      window.location.hash = url.hash;
      window.location.reload();
    } else {
      window.location.assign(url.href);
    }
  }

  function setUp(panel, form) {
    var msg = panel.dataset;
    var single = form.dataset.single === "1";
    var pages = [];  // {blob, name, url, camera}
    var retaking = -1;
    var stream = null;
    var deviceLabel = "";
    var list = form.querySelector(".capture-pages");
    var camera = form.querySelector(".capture-camera");
    var video = form.querySelector(".capture-video");
    var start = form.querySelector(".capture-start");
    var input = form.querySelector("input[type=file]");
    var errors = form.querySelector(".capture-errors");
    var max = single ? 1 : parseInt(msg.maxPages || "40", 10);

    function say(texts) {
      errors.textContent = "";
      texts.forEach(function (t) { var li = document.createElement("li"); li.textContent = t; errors.appendChild(li); });
    }

    function button(label, cls, act) {
      var b = document.createElement("button");
      b.type = "button"; b.className = "secondary " + cls; b.textContent = label;
      b.addEventListener("click", act);
      return b;
    }

    function draw() {
      list.textContent = "";
      pages.forEach(function (page, i) {
        var li = document.createElement("li");
        li.className = "capture-page";
        if (page.url) { var img = document.createElement("img"); img.src = page.url; img.alt = msg.msgPage + " " + (i + 1); img.width = 96; li.appendChild(img); }
        var name = document.createElement("span"); name.textContent = " " + msg.msgPage + " " + (i + 1) + " "; li.appendChild(name);
        if (i > 0) li.appendChild(button(msg.msgUp, "capture-up", function () { move(i, -1); }));
        if (i < pages.length - 1) li.appendChild(button(msg.msgDown, "capture-down", function () { move(i, 1); }));
        li.appendChild(button(msg.msgRetake, "capture-retake", function () { retaking = i; openCamera(); draw(); }));
        li.appendChild(button(msg.msgDelete, "capture-delete", function () {
          if (page.url) URL.revokeObjectURL(page.url);
          pages.splice(i, 1); if (retaking === i) retaking = -1; draw();
        }));
        if (retaking === i) { var note = document.createElement("em"); note.textContent = " " + msg.msgRetaking; li.appendChild(note); }
        list.appendChild(li);
      });
    }

    function move(i, by) {
      var page = pages[i]; pages.splice(i, 1); pages.splice(i + by, 0, page); draw();
    }

    function add(blob, name, fromCamera) {
      var page = {blob: blob, name: name, camera: fromCamera,
                  url: /^image\//.test(blob.type) ? URL.createObjectURL(blob) : ""};
      if (retaking >= 0 && retaking < pages.length) {
        if (pages[retaking].url) URL.revokeObjectURL(pages[retaking].url);
        pages[retaking] = page; retaking = -1;
      } else if (single) {
        pages = [page];
      } else if (pages.length < max) {
        pages.push(page);
      }
      draw();
    }

    function openCamera() {
      if (stream) return;
      if (!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia)) { say([msg.msgNoCamera]); return; }
      navigator.mediaDevices.getUserMedia({video: {facingMode: single ? "user" : "environment",
                                                   width: {ideal: 2592}, height: {ideal: 1944}}, audio: false})
        .then(function (s) {
          stream = s;
          var track = s.getVideoTracks()[0];
          deviceLabel = (track && track.label) || "camera";
          video.srcObject = s; camera.hidden = false;
          return video.play();
        })
        .catch(function () { say([msg.msgNoCamera]); });
    }

    function stopCamera() {
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null; camera.hidden = true;
    }

    function shoot() {
      if (!stream || !video.videoWidth) return;
      var canvas = document.createElement("canvas");
      canvas.width = video.videoWidth; canvas.height = video.videoHeight;
      canvas.getContext("2d").drawImage(video, 0, 0);
      canvas.toBlob(function (blob) { if (blob) add(blob, "camera-" + Date.now() + ".jpg", true); }, "image/jpeg", 0.92);
    }

    start.hidden = false;
    start.addEventListener("click", openCamera);
    form.querySelector(".capture-shoot").addEventListener("click", shoot);
    form.querySelector(".capture-stop").addEventListener("click", stopCamera);
    input.addEventListener("change", function () {
      Array.from(input.files).forEach(function (f) { add(f, f.name, false); });
      input.value = "";
    });

    form.addEventListener("submit", function (event) {
      if (!pages.length) return;  // the plain post (nothing held here): the server says what is missing
      event.preventDefault();
      var submit = form.querySelector("button[type=submit]");
      submit.disabled = true;
      say([msg.msgSending]);
      Promise.all(pages.map(function (p) { return digest(p.blob); })).then(function (digests) {
        var data = new FormData();
        Array.from(form.querySelectorAll("input[type=hidden], input[type=text], textarea")).forEach(function (el) {
          if (el.name) data.append(el.name, el.value);
        });
        var fromCamera = pages.some(function (p) { return p.camera; });
        data.set("source", fromCamera ? "camera" : "upload");
        data.set("device", fromCamera ? deviceLabel : "");
        data.set("digests", digests.every(Boolean) ? digests.join(",") : "");
        pages.forEach(function (p) { data.append("pages", p.blob, p.name); });
        return fetch(form.action, {method: "POST", body: data, credentials: "same-origin",
                                   headers: {"Accept": "application/json"}});
      }).then(function (response) {
        return response.json().then(function (body) { return {ok: response.ok, body: body}; });
      }).then(function (answer) {
        if (answer.ok && answer.body.ok) { stopCamera(); go(answer.body.next); return; }
        var texts = [];
        Object.keys(answer.body.errors || {}).forEach(function (k) { texts = texts.concat(answer.body.errors[k]); });
        say(texts.length ? texts : [msg.msgFailed]);
        submit.disabled = false;
      }).catch(function () { say([msg.msgFailed]); submit.disabled = false; });
    });
  }

  document.querySelectorAll("[data-capture-panel]").forEach(function (panel) {
    if (panel.dataset.captureReady) return;
    panel.dataset.captureReady = "1";
    panel.querySelectorAll("form.capture-form").forEach(function (form) { setUp(panel, form); });
  });
})();
