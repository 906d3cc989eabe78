// The chat panel: after htmx appended an answer, empty the box and show the answer.
document.addEventListener("htmx:afterRequest", function (event) {
  var form = event.target.closest && event.target.closest("form[data-assistant-ask]");
  if (form && event.detail.successful) { form.reset(); }
  var replies = document.getElementById("assistant-replies");
  if (replies && replies.lastElementChild && form) { replies.lastElementChild.scrollIntoView({block: "start"}); }
});
