// Item page keys: Enter validates, 1-9 pick a competence, c searches a commune, u toggles urgent,
// m writes a comment, n skips. No framework, no inline script (the page's CSP forbids it).
(function () {
  "use strict";
  const form = document.getElementById("review-form");
  if (!form) return;
  const select = document.getElementById("commune-select");
  const search = document.getElementById("commune-search");
  const list = document.getElementById("commune-list");
  const urgent = document.getElementById("urgent");
  const comment = document.getElementById("comment");
  const submit = document.getElementById("submit-review");
  const skip = document.getElementById("skip");
  const radios = Array.from(form.querySelectorAll('input[name="competence"]'));
  const initialCompetence = (radios.find(r => r.dataset.initial) || {}).value;
  const initialCommune = select.value;
  const editable = !submit.disabled && !form.querySelector("fieldset[disabled]");
  let sent = false;

  const fold = s => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[-'’]/g, " ");
  const options = Array.from(select.options).map(o => ({
    value: o.value, name: o.textContent.trim(), key: fold(o.textContent + " " + (o.dataset.terms || ""))
  }));

  function refreshLabel() {
    const chosen = (radios.find(r => r.checked) || {}).value;
    const corrected = chosen !== initialCompetence || select.value !== initialCommune;
    submit.firstChild.textContent = corrected ? "Corriger " : "Confirmer ";
    submit.classList.toggle("correcting", corrected);
  }

  function send() {
    if (sent || !editable) return;
    if (!radios.some(r => r.checked)) { radios[0].focus(); return; }
    sent = true;
    submit.disabled = true;  // one keypress, one submission: a double Enter would conflict with itself
    form.requestSubmit ? form.requestSubmit() : form.submit();
  }
  form.addEventListener("submit", () => { sent = true; setTimeout(() => { submit.disabled = true; }, 0); });
  window.addEventListener("pageshow", () => { sent = false; submit.disabled = !editable; });

  let matches = [], active = 0;
  function renderList() {
    const query = fold(search.value.trim());
    matches = query ? options.filter(o => o.key.includes(query)).slice(0, 12) : options.slice(0, 0);
    list.replaceChildren(...matches.map((o, i) => {
      const li = document.createElement("li");
      li.textContent = o.name;  // textContent: commune names are ours, but never build HTML from strings
      li.setAttribute("role", "option");
      li.dataset.value = o.value;
      if (i === active) li.setAttribute("aria-selected", "true");
      li.addEventListener("mousedown", ev => { ev.preventDefault(); choose(o.value); });
      return li;
    }));
    list.hidden = matches.length === 0;
  }
  function choose(value) {
    select.value = value;
    search.value = "";
    list.hidden = true;
    search.blur();
    refreshLabel();
  }
  search.addEventListener("input", () => { active = 0; renderList(); });
  search.addEventListener("blur", () => { setTimeout(() => { list.hidden = true; }, 100); });
  search.addEventListener("keydown", ev => {
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      if (!matches.length) return;
      active = (active + (ev.key === "ArrowDown" ? 1 : matches.length - 1)) % matches.length;
      renderList();
    } else if (ev.key === "Enter") {
      ev.preventDefault();
      if (matches.length) choose(matches[active].value);
    } else if (ev.key === "Escape") {
      search.value = ""; list.hidden = true; search.blur();
    }
  });
  comment.addEventListener("keydown", ev => {
    if (ev.key === "Escape") comment.blur();
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); send(); }
  });
  radios.forEach(r => r.addEventListener("change", refreshLabel));
  select.addEventListener("change", refreshLabel);

  document.addEventListener("keydown", ev => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.defaultPrevented) return;
    const target = ev.target;
    const typing = target.matches("textarea, select, input:not([type=radio]):not([type=checkbox])");
    if (typing) return;
    if (ev.key === "Enter") {
      if (target.matches("a, button, summary")) return;  // Enter on a link or a button does what it says
      ev.preventDefault();
      send();
    } else if (/^[1-9]$/.test(ev.key) && editable) {
      const radio = radios.find(r => r.dataset.key === ev.key);
      if (radio) { radio.checked = true; radio.blur(); refreshLabel(); ev.preventDefault(); }
    } else if ((ev.key === "c" || ev.key === "/") && editable) {
      ev.preventDefault(); search.focus();
    } else if (ev.key === "u" && editable) {
      urgent.checked = !urgent.checked; ev.preventDefault();
    } else if (ev.key === "m" && editable) {
      ev.preventDefault(); comment.focus();
    } else if (ev.key === "n" && skip) {
      window.location.href = skip.href;
    }
  });
  if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
  refreshLabel();
})();
