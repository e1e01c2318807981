// Buttons that ask first (views/components/confirm.templ): a click opens the
// button's <dialog> instead of posting. Without this script, or in a browser
// without <dialog>, the form posts and the server answers with a page that
// asks the same question.
(function () {
  "use strict";
  if (window.consoleConfirm) return;
  window.consoleConfirm = true;
  document.addEventListener("click", function (evt) {
    var button = evt.target.closest && evt.target.closest("[data-opens-dialog]");
    if (!button) return;
    var dialog = document.getElementById(button.getAttribute("data-opens-dialog"));
    if (!dialog || typeof dialog.showModal !== "function") return;
    evt.preventDefault();
    dialog.showModal();
    var cancel = dialog.querySelector("[formmethod=dialog]");
    if (cancel) cancel.focus();
  });
})();
