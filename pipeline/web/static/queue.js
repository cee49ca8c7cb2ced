// Queue keys: j/k move through the rows, Enter opens, / searches; the bulk form asks before acting.
(function () {
  "use strict";
  const rows = Array.from(document.querySelectorAll("#queue tbody tr"));
  let current = -1;
  function focusRow(index) {
    if (!rows.length) return;
    current = Math.max(0, Math.min(index, rows.length - 1));
    rows.forEach((r, i) => r.classList.toggle("selected", i === current));
    rows[current].scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", ev => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.target.matches("input, textarea, select")) {
      if (ev.key === "Escape") ev.target.blur();
      return;
    }
    if (ev.key === "j") focusRow(current + 1);
    else if (ev.key === "k") focusRow(current - 1);
    else if (ev.key === "/") { ev.preventDefault(); document.getElementById("search").focus(); }
    else if (ev.key === "Enter" && current >= 0 && !ev.target.matches("a, button")) {
      window.location.href = rows[current].dataset.href;
    }
  });
  rows.forEach(row => row.addEventListener("click", ev => {
    if (!ev.target.closest("a")) window.location.href = row.dataset.href;
  }));
  const bulk = document.getElementById("bulk-form");
  if (bulk) bulk.addEventListener("submit", ev => {
    const threshold = bulk.querySelector('input[name="seuil"]').value;
    if (!window.confirm(`Confirmer tous les éléments à revoir de cette vue dont la confiance est d'au moins ${threshold} % ?`)) {
      ev.preventDefault();
    }
  });
})();
