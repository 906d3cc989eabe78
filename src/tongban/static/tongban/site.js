// Behaviour of the pages, keyed by data- attributes: the Content-Security-Policy
// (script-src 'self') forbids inline script and on* attributes.
(function () {
  "use strict";

  // <form data-confirm="确定…？">: ask before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
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
})();
