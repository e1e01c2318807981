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

  // The header's Menu button (under 768 px) folds the navigation away.
  // Without this script it stays unfolded (input.css, scripting: none).
  document.querySelectorAll("[data-nav-toggle]").forEach(function (button) {
    var nav = document.getElementById(button.getAttribute("aria-controls"));
    if (!nav) return;
    function setOpen(open) {
      button.setAttribute("aria-expanded", String(open));
      nav.classList.toggle("is-open", open);
    }
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    nav.addEventListener("keydown", function (evt) {
      if (evt.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        button.focus();
      }
    });
  });

  // A box that scrolls sideways (a wide table on a phone) takes keyboard
  // focus while it overflows, so the arrow keys can scroll it too.
  function focusableScrollers() {
    document.querySelectorAll(".overflow-x-auto, .table-wrap").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
      } else if (box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
      }
    });
  }
  var scrollersQueued = false;
  function queueScrollers() {
    if (scrollersQueued) return;
    scrollersQueued = true;
    requestAnimationFrame(function () { scrollersQueued = false; focusableScrollers(); });
  }
  focusableScrollers();
  window.addEventListener("resize", queueScrollers);
  document.body.addEventListener("htmx:afterSettle", queueScrollers);

  // Progress: every htmx request shows the bar at the top of the page and
  // dims what it will replace. The CSS waits ~150 ms before showing either,
  // so quick answers do not flicker.
  var progress = document.getElementById("page-progress");
  var inFlight = 0;
  document.body.addEventListener("htmx:beforeRequest", function (evt) {
    inFlight++;
    if (progress) progress.classList.add("is-active");
    var target = evt.detail.target;
    if (target && evt.detail.xhr) {
      evt.detail.xhr.dimmed = target;
      target.classList.add("is-loading");
      target.setAttribute("aria-busy", "true");
    }
  });
  document.body.addEventListener("htmx:afterRequest", function (evt) {
    inFlight = Math.max(0, inFlight - 1);
    if (progress && inFlight === 0) progress.classList.remove("is-active");
    var dimmed = evt.detail.xhr && evt.detail.xhr.dimmed;
    if (dimmed) {
      dimmed.classList.remove("is-loading");
      dimmed.removeAttribute("aria-busy");
    }
  });

  // Actions menus: a <details> disclosure without this script; with it, an
  // ARIA menu button (arrow keys move, Escape closes, one open at a time).
  function menuItems(menu) {
    return Array.prototype.slice.call(menu.querySelectorAll("[data-menu-list] a, [data-menu-list] button"));
  }
  function upgradeMenus(root) {
    root.querySelectorAll("details[data-menu]:not([data-menu-ready])").forEach(function (menu) {
      menu.setAttribute("data-menu-ready", "");
      var list = menu.querySelector("[data-menu-list]");
      menu.querySelector("summary").setAttribute("aria-haspopup", "menu");
      list.setAttribute("role", "menu");
      list.querySelectorAll("li").forEach(function (li) { li.setAttribute("role", "none"); });
      menuItems(menu).forEach(function (item) {
        item.setAttribute("role", "menuitem");
        item.tabIndex = -1;
      });
    });
  }
  function closeMenu(menu, focusButton) {
    menu.open = false;
    if (focusButton) menu.querySelector("summary").focus();
  }
  upgradeMenus(document);
  document.body.addEventListener("htmx:afterSwap", function () { upgradeMenus(document); });
  var openedByKey = null;
  document.addEventListener("toggle", function (evt) {
    var menu = evt.target;
    if (!menu.matches || !menu.matches("details[data-menu]") || !menu.open) return;
    document.querySelectorAll("details[data-menu][open]").forEach(function (other) {
      if (other !== menu) other.open = false;
    });
    var items = menuItems(menu);
    if (items.length) (openedByKey === "last" ? items[items.length - 1] : items[0]).focus();
    openedByKey = null;
  }, true);
  document.addEventListener("keydown", function (evt) {
    var el = evt.target;
    if (!el.closest) return;
    var menu = el.closest("details[data-menu]");
    if (!menu) return;
    if (el.matches("summary")) {
      if (evt.key === "ArrowDown" || evt.key === "ArrowUp") {
        evt.preventDefault();
        openedByKey = evt.key === "ArrowUp" ? "last" : "first";
        if (menu.open) {
          var items = menuItems(menu);
          if (items.length) (openedByKey === "last" ? items[items.length - 1] : items[0]).focus();
          openedByKey = null;
        } else {
          menu.open = true;
        }
      } else if (evt.key === "Escape" && menu.open) {
        evt.preventDefault();
        closeMenu(menu, true);
      }
      return;
    }
    var list = menuItems(menu);
    var i = list.indexOf(el);
    if (i < 0) return;
    var next = null;
    switch (evt.key) {
      case "ArrowDown": next = list[(i + 1) % list.length]; break;
      case "ArrowUp": next = list[(i - 1 + list.length) % list.length]; break;
      case "Home": next = list[0]; break;
      case "End": next = list[list.length - 1]; break;
      case "Escape": evt.preventDefault(); closeMenu(menu, true); return;
      case "Tab": closeMenu(menu, false); return;
      case " ": evt.preventDefault(); el.click(); return;
      default: return;
    }
    evt.preventDefault();
    next.focus();
  });
  document.addEventListener("click", function (evt) {
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      if (!menu.contains(evt.target)) menu.open = false;
    });
    var item = evt.target.closest && evt.target.closest("[data-menu-list] a");
    if (item) {
      var menu = item.closest("details[data-menu]");
      var row = item.closest("tr");
      returnFocusTo = row ? row.id : null;
      menu.open = false;
    }
  });

  // The list's confirmation dialog: an action chosen from a row's menu is
  // loaded into it (htmx) and shown as a modal, so the table never moves.
  // A wrong field comes back into it; a done action swaps the row and
  // closes it.
  var returnFocusTo = null;
  function focusRow(id) {
    var row = id && document.getElementById(id);
    if (!row) return;
    var target = row.querySelector("details[data-menu] summary") || row.querySelector("a");
    if (target) target.focus();
  }
  function firstField(dialog) {
    return dialog.querySelector("[aria-invalid=true]") ||
      dialog.querySelector("input:not([type=hidden]), textarea, select") ||
      dialog.querySelector("button");
  }
  document.body.addEventListener("htmx:afterSwap", function (evt) {
    var target = evt.detail.target;
    var dialog = document.querySelector("[data-action-dialog]");
    if (!dialog || !target) return;
    if (dialog.contains(target)) {
      if (dialog.querySelector("#action-dialog-title")) dialog.setAttribute("aria-labelledby", "action-dialog-title");
      if (!dialog.open && typeof dialog.showModal === "function") dialog.showModal();
      var field = firstField(dialog);
      if (field) field.focus();
      return;
    }
    var from = evt.detail.requestConfig && evt.detail.requestConfig.elt;
    if (from && dialog.contains(from) && dialog.open) dialog.close();
  });
  document.addEventListener("close", function (evt) {
    var dialog = evt.target;
    if (!dialog.matches || !dialog.matches("[data-action-dialog]")) return;
    var body = dialog.querySelector("#action-dialog-body");
    if (body) body.replaceChildren();
    focusRow(returnFocusTo);
  }, true);
  document.addEventListener("click", function (evt) {
    var close = evt.target.closest && evt.target.closest("[data-dialog-close]");
    if (!close) return;
    var dialog = close.closest("dialog");
    if (dialog) dialog.close();
  });

  // Bulk selection: the bar under the table shows only while something is
  // ticked, says how many, and each action is confirmed with the count.
  function updateBulk() {
    var bar = document.querySelector("[data-bulk-bar]");
    var boxes = document.querySelectorAll("[data-bulk-item]");
    var n = document.querySelectorAll("[data-bulk-item]:checked").length;
    var all = document.querySelector("[data-select-all]");
    if (all) {
      all.checked = boxes.length > 0 && n === boxes.length;
      all.indeterminate = n > 0 && n < boxes.length;
    }
    if (!bar) return;
    bar.classList.toggle("is-empty", n === 0);
    var count = bar.querySelector("[data-bulk-count]");
    if (count) count.textContent = n + " selected";
  }
  document.addEventListener("change", function (evt) {
    var el = evt.target;
    if (!el.matches) return;
    if (el.matches("[data-select-all]")) {
      // "Select all on this page" ticks every row's bulk checkbox.
      document.querySelectorAll("[data-bulk-item]").forEach(function (box) {
        box.checked = el.checked;
      });
    }
    if (el.matches("[data-select-all], [data-bulk-item]")) updateBulk();
  });
  updateBulk();
  // afterSettle: htmx puts back the old attributes of an element with the
  // same id while settling, which would undo the bar's class.
  document.body.addEventListener("htmx:afterSettle", updateBulk);

  function plural(n) { return n === 1 ? "1 tenant" : n + " tenants"; }
  // Runs before htmx sees the submit: an action button (or Enter in the
  // reason) opens the dialog; only the dialog's button sends the form.
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (!form.matches || !form.matches("[data-bulk-bar]")) return;
    var dialog = document.querySelector("[data-bulk-dialog]");
    if (!dialog || typeof dialog.showModal !== "function") return;
    var submitter = evt.submitter;
    if (submitter && submitter.matches("[data-bulk-confirm]")) return;
    evt.preventDefault();
    evt.stopPropagation();
    var button = submitter && submitter.matches("[data-bulk-action]") ? submitter : form.querySelector("[data-bulk-action]");
    if (!button) return;
    var reason = form.querySelector("[name=reason]");
    var label = button.textContent.replace("…", "").trim();
    if (button.hasAttribute("data-reason-required") && reason && reason.value.trim() === "") {
      reason.setCustomValidity("Enter the reason to " + label.toLowerCase() + " them.");
      reason.reportValidity();
      reason.addEventListener("input", function () { reason.setCustomValidity(""); }, { once: true });
      return;
    }
    var n = document.querySelectorAll("[data-bulk-item]:checked").length;
    dialog.querySelector("[data-bulk-question]").textContent = label + " " + plural(n) + "?";
    dialog.querySelector("[data-bulk-detail]").textContent = reason && reason.value.trim() !== ""
      ? "Reason: “" + reason.value.trim() + "”. Each tenant is changed on its own; the list then says what happened to each."
      : "Each tenant is changed on its own; the list then says what happened to each.";
    var confirm = dialog.querySelector("[data-bulk-confirm]");
    confirm.value = button.value;
    confirm.textContent = label + " " + plural(n);
    dialog.showModal();
  }, true);
  document.body.addEventListener("htmx:afterRequest", function (evt) {
    var dialog = document.querySelector("[data-bulk-dialog]");
    var from = evt.detail.requestConfig && evt.detail.requestConfig.elt;
    if (dialog && dialog.open && from && from.matches && from.matches("[data-bulk-bar]")) dialog.close();
  });
})();
