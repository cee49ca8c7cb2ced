// Keys of a basket item: p takes it, r and o go to the answer and redirect forms, v marks a copy read,
// b goes back to the basket; Escape leaves a field.
(function () {
  "use strict";
  function submit(id) {
    const form = document.getElementById(id);
    if (form) form.requestSubmit ? form.requestSubmit() : form.submit();
  }
  function focus(id) {
    const field = document.getElementById(id);
    if (field) field.focus();
  }
  document.addEventListener("keydown", ev => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.defaultPrevented) return;
    if (ev.target.matches("input, textarea, select")) {
      if (ev.key === "Escape") ev.target.blur();
      return;
    }
    const actions = {p: () => submit("take-form"), v: () => submit("seen-form"), r: () => focus("answer-date"),
                     o: () => focus("redirect-reason"), b: () => { window.location.href = "/corbeille"; }};
    if (actions[ev.key]) { ev.preventDefault(); actions[ev.key](); }
  });
})();
