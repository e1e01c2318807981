// The page an e-mail link lands on. GoTrue puts the session (or why there is
// none) in the URL fragment, which never reaches the server: this script
// takes it out of the address bar and the history, and posts it, with the
// page's CSRF token, for the server to check with GoTrue.
(function () {
  "use strict";
  var form = document.getElementById("link-callback");
  if (!form) return;
  var fragment = new URLSearchParams(window.location.hash.slice(1));
  history.replaceState(null, "", window.location.pathname + window.location.search);
  ["access_token", "refresh_token", "type", "error_code"].forEach(function (name) {
    var value = fragment.get(name);
    if (value === null) return;
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.appendChild(input);
  });
  var status = document.getElementById("link-status");
  if (status) status.textContent = "Signing you in…";
  form.submit();
})();
