// The key z takes back the last action when the page offers it (the "Annuler" button of the message).
(function () {
  "use strict";
  const form = document.getElementById("undo-form");
  if (!form) return;
  document.addEventListener("keydown", ev => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.defaultPrevented) return;
    if (ev.target.matches("input:not([type=radio]):not([type=checkbox]), textarea, select")) return;
    if (ev.key === "z") { ev.preventDefault(); form.requestSubmit ? form.requestSubmit() : form.submit(); }
  });
})();
