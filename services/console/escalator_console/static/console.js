// Escalator console: progressive enhancement only. Every page works without this file.
(function () {
  "use strict";

  // The browser's own time zone, so the server writes times in it.
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("escalator_tz=" + encodeURIComponent(zone)) < 0) {
      document.cookie = "escalator_tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; SameSite=Lax";
    }
  } catch (e) { /* an old browser: the person's profile zone is used */ }

  // Live parts: an element with data-refresh-url has its content fetched again every
  // data-refresh-seconds; a lost session sends the page to sign in.
  function live(element) {
    var url = element.getAttribute("data-refresh-url");
    var seconds = parseFloat(element.getAttribute("data-refresh-seconds") || "5");
    var status = document.getElementById("queue-status");
    function refresh() {
      if (document.hidden) { return schedule(); }
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) {
          if (response.redirected && response.url.indexOf("/sign-in") >= 0) {
            window.location.assign(response.url);
            return null;
          }
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.text();
        })
        .then(function (html) {
          if (html === null) { return; }
          var open = element.querySelectorAll("details[open]").length > 0;
          if (!open) { element.innerHTML = html; }
          element.setAttribute("data-refreshed-at", new Date().toISOString());
          if (status) { status.textContent = "Updated " + new Date().toLocaleTimeString(); }
        })
        .catch(function (error) {
          if (status) { status.textContent = "Could not update (" + error.message + "); retrying."; }
        })
        .then(schedule);
    }
    function schedule() { window.setTimeout(refresh, seconds * 1000); }
    schedule();
  }
  document.querySelectorAll("[data-refresh-url]").forEach(live);

  // Keyboard: a acknowledge, r resolve, n note (not while typing in a field).
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    var tag = target && target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable)) { return; }
    var button = null;
    if (event.key === "a") { button = document.getElementById("action-acknowledge"); }
    if (event.key === "r") { button = document.getElementById("action-resolve"); }
    if (event.key === "n") {
      var note = document.getElementById("note_text");
      if (note) { event.preventDefault(); note.focus(); }
      return;
    }
    if (button) { event.preventDefault(); button.click(); }
  });
})();
