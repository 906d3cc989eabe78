// Behaviour of the pages, keyed by data- attributes: the Content-Security-Policy
// (script-src 'self') forbids inline script and on* attributes.
(function () {
  "use strict";

  // <form data-confirm="确定…？">: ask before submitting. In large-type mode (适老化:
  // no pop-ups) the question is asked inline, under the form, with two large buttons
  // whose words base.html gives (<body data-confirm-yes data-confirm-no>).
  function largeType() { return document.body.classList.contains("large-type"); }

  function askInline(form, question, submitter) {
    var shown = form.nextElementSibling;
    if (shown && shown.classList.contains("inline-confirm")) { shown.querySelector("button").focus(); return; }
    var box = document.createElement("div");
    box.className = "inline-confirm";
    box.setAttribute("role", "group");
    var text = document.createElement("p");
    text.textContent = question;
    text.id = "confirm-" + Math.random().toString(36).slice(2);
    box.setAttribute("aria-labelledby", text.id);
    var yes = document.createElement("button");
    yes.type = "button";
    yes.textContent = document.body.getAttribute("data-confirm-yes") || "OK";
    var no = document.createElement("button");
    no.type = "button";
    no.className = "secondary";
    no.textContent = document.body.getAttribute("data-confirm-no") || "Cancel";
    yes.addEventListener("click", function () {
      form.setAttribute("data-confirmed", "");
      box.remove();
      if (form.requestSubmit) form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
      else form.submit();
    });
    no.addEventListener("click", function () { box.remove(); if (submitter) submitter.focus(); });
    box.append(text, yes, no);
    form.insertAdjacentElement("afterend", box);
    yes.focus();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (!question) return;
    if (form.hasAttribute("data-confirmed")) { form.removeAttribute("data-confirmed"); return; }
    if (largeType()) {
      event.preventDefault();
      event.stopImmediatePropagation();
      askInline(form, question, event.submitter);
    } else if (!window.confirm(question)) {
      event.preventDefault();
    }
  }, true);

  // <select data-autosubmit>: choosing submits its form.
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.hasAttribute && field.hasAttribute("data-autosubmit") && field.form) field.form.submit();
  });

  // <form data-carry-answers> (a file's upload or removal on the application page)
  // reloads the page: take the answers typed so far along, so none is lost if its
  // autosave had not reached the server yet.
  document.addEventListener("submit", function (event) {
    var upload = event.target;
    if (!upload.hasAttribute || !upload.hasAttribute("data-carry-answers") || event.defaultPrevented) return;
    var application = document.getElementById("application");
    if (!application) return;
    new FormData(application).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken" || name === "action" || name === "_shown") return;
      var carried = document.createElement("input");
      carried.type = "hidden"; carried.name = "answer__" + name; carried.value = value;
      upload.appendChild(carried);
    });
  });

  // A box that scrolls sideways (a wide table in .table-wrap) and holds nothing to focus
  // is reachable by keyboard too: it takes the focus itself (tabindex=0).
  function focusableScrollers(root) {
    var boxes = (root || document).querySelectorAll(".table-wrap, main div, main section");
    Array.prototype.forEach.call(boxes, function (box) {
      var style = window.getComputedStyle(box);
      if (!/(auto|scroll)/.test(style.overflowX + style.overflowY)) return;
      if (box.scrollWidth <= box.clientWidth + 1 && box.scrollHeight <= box.clientHeight + 1) return;
      if (box.hasAttribute("tabindex") || box.querySelector("a[href], button, input, select, textarea, [tabindex]")) return;
      box.setAttribute("tabindex", "0");
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { focusableScrollers(); });
  else focusableScrollers();
  window.addEventListener("resize", function () { focusableScrollers(); });
  document.addEventListener("htmx:afterSwap", function (event) { focusableScrollers(event.target.parentElement); });
})();
