// Tenant Console's only script. Everything else is htmx attributes; the
// Content-Security-Policy forbids inline scripts, so behaviour lives here.
(function () {
  "use strict";

  // Toasts: the server sends HX-Trigger {"toast": {"level", "message"}} for
  // htmx requests that fail; network failures and bare errors get a default.
  function showToast(message, level) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var toast = document.createElement("div");
    toast.className = "toast toast-" + (level || "error");
    toast.setAttribute("role", level === "error" ? "alert" : "status");
    var text = document.createElement("span");
    text.textContent = message;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "toast-close";
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "×";
    close.addEventListener("click", function () { toast.remove(); });
    toast.appendChild(text);
    toast.appendChild(close);
    box.appendChild(toast);
    setTimeout(function () { toast.remove(); }, 8000);
  }

  var toastShown = false;
  document.body.addEventListener("toast", function (evt) {
    toastShown = true;
    showToast(evt.detail.message, evt.detail.level);
  });
  document.body.addEventListener("htmx:beforeRequest", function () { toastShown = false; });
  document.body.addEventListener("htmx:responseError", function (evt) {
    if (!toastShown) {
      showToast("Something went wrong (" + evt.detail.xhr.status + "). Try again.", "error");
    }
  });
  document.body.addEventListener("htmx:sendError", function () {
    showToast("The console cannot be reached. Check your connection and try again.", "error");
  });

  // "/" focuses the search box, as in most admin consoles.
  document.addEventListener("keydown", function (evt) {
    if (evt.key !== "/" || evt.ctrlKey || evt.metaKey || evt.altKey) return;
    var tag = (document.activeElement && document.activeElement.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
    var search = document.querySelector("[data-search]");
    if (search) {
      evt.preventDefault();
      search.focus();
      search.select();
    }
  });

  // Colour fields: a #RRGGBB text field (what the form sends) and, beside
  // it, a native colour picker kept in step with it. Pickers start hidden so
  // that without this script only the text field shows.
  var colorPattern = /^#[0-9A-Fa-f]{6}$/;
  function revealPickers(root) {
    (root || document).querySelectorAll("input[type=color][data-color-for]").forEach(function (picker) {
      var text = document.getElementById(picker.getAttribute("data-color-for"));
      if (!text) return;
      if (colorPattern.test(text.value.trim())) picker.value = text.value.trim().toLowerCase();
      picker.hidden = false;
    });
  }
  document.addEventListener("input", function (evt) {
    var el = evt.target;
    if (el.matches && el.matches("input[type=color][data-color-for]")) {
      var text = document.getElementById(el.getAttribute("data-color-for"));
      if (text) text.value = el.value.toUpperCase();
    } else if (el.matches && el.matches("input[data-color-text]")) {
      var picker = document.getElementById(el.id + "-picker");
      if (picker && colorPattern.test(el.value.trim())) picker.value = el.value.trim().toLowerCase();
    }
  }, true);
  revealPickers(document);
  document.body.addEventListener("htmx:afterSwap", function () { revealPickers(document); });
  // "Select all on this page" ticks every row's bulk checkbox.
  document.addEventListener("change", function (evt) {
    var all = evt.target;
    if (!all.matches || !all.matches("[data-select-all]")) return;
    document.querySelectorAll("[data-bulk-item]").forEach(function (box) {
      box.checked = all.checked;
    });
  });
})();
