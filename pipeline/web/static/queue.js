// Queue keys: j/k move through the list (real focus and aria-selected, so screen readers follow),
// Enter or a click opens, / searches.
(function () {
  "use strict";
  const rows = Array.from(document.querySelectorAll("#queue [role=option]"));
  let current = -1;
  function select(index, focus) {
    if (!rows.length) return;
    current = Math.max(0, Math.min(index, rows.length - 1));
    rows.forEach((r, i) => {
      r.setAttribute("aria-selected", i === current ? "true" : "false");
      r.tabIndex = i === current ? 0 : -1;
    });
    if (focus) rows[current].focus();
  }
  document.addEventListener("keydown", ev => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.target.matches("input, textarea, select")) {
      if (ev.key === "Escape") ev.target.blur();
      return;
    }
    if (ev.key === "j" || (ev.key === "ArrowDown" && ev.target.matches("[role=option]"))) {
      ev.preventDefault(); select(current + 1, true);
    } else if (ev.key === "k" || (ev.key === "ArrowUp" && ev.target.matches("[role=option]"))) {
      ev.preventDefault(); select(current - 1, true);
    } else if (ev.key === "/") { ev.preventDefault(); document.getElementById("search").focus(); }
    else if (ev.key === "Enter" && current >= 0 && !ev.target.matches("a, button")) {
      window.location.href = rows[current].dataset.href;
    }
  });
  rows.forEach((row, i) => {
    row.addEventListener("click", () => { window.location.href = row.dataset.href; });
    row.addEventListener("focus", () => { if (current !== i) select(i, false); });
  });
})();
