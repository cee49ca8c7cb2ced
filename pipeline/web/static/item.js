// Item page keys: Enter validates; each competence has its own key (1-0, q s d f g), the same on every
// item; c searches a commune, a an administration, e the due date, u toggles urgent, m writes a comment,
// n skips. No framework, no inline script (the page's CSP forbids it).
(function () {
  "use strict";
  const form = document.getElementById("review-form");
  if (!form) return;
  const select = document.getElementById("commune-select");
  const urgent = document.getElementById("urgent");
  const comment = document.getElementById("comment");
  const due = document.getElementById("echeance");
  const submit = document.getElementById("submit-review");
  const skip = document.getElementById("skip");
  const adminField = document.getElementById("administration-field");
  const adminValue = document.getElementById("administration");
  const radios = Array.from(form.querySelectorAll('input[name="competence"]'));
  const initialCompetence = (radios.find(r => r.dataset.initial) || {}).value;
  const initialCommune = select.value;
  const initialAdmin = adminValue.value;
  const initialDue = due.value;
  const editable = !submit.disabled && !form.querySelector("fieldset.decide[disabled]");
  const draftKey = "triage-commentaire-" + form.action;
  let sent = false;

  function refreshLabel() {
    const chosen = (radios.find(r => r.checked) || {}).value;
    const corrected = chosen !== initialCompetence || select.value !== initialCommune;
    const changed = corrected || adminValue.value !== initialAdmin || due.value !== initialDue;
    submit.firstChild.textContent = corrected ? "Corriger " : changed ? "Enregistrer " : "Confirmer ";
    submit.classList.toggle("correcting", corrected);
    adminField.hidden = chosen !== "hors_competence";
  }

  function send() {
    if (sent || !editable) return;
    if (!radios.some(r => r.checked)) { radios[0].focus(); return; }
    sent = true;
    submit.disabled = true;  // one keypress, one submission: a double Enter would conflict with itself
    form.requestSubmit ? form.requestSubmit() : form.submit();
  }
  form.addEventListener("submit", () => {
    sent = true;
    sessionStorage.removeItem(draftKey);
    setTimeout(() => { submit.disabled = true; }, 0);
  });
  window.addEventListener("pageshow", () => { sent = false; submit.disabled = !editable; });

  // A comment typed then left (n, a link, Back) is kept for this item until it is sent.
  comment.value = sessionStorage.getItem(draftKey) || "";
  comment.addEventListener("input", () => {
    if (comment.value) sessionStorage.setItem(draftKey, comment.value); else sessionStorage.removeItem(draftKey);
  });

  // A combobox over the server's fuzzy search (/choix/communes, /choix/administrations).
  function picker(input, list, onChoose) {
    let matches = [], active = 0, asked = "";
    function render() {
      list.replaceChildren(...matches.map((m, i) => {
        const li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", i === active ? "true" : "false");
        li.dataset.value = m.value;
        li.textContent = m.name;  // textContent: never build HTML from strings
        if (m.hint) { const hint = document.createElement("span"); hint.className = "hint"; hint.textContent = " " + m.hint; li.append(hint); }
        li.addEventListener("mousedown", ev => { ev.preventDefault(); choose(i); });
        return li;
      }));
      list.hidden = matches.length === 0;
      input.setAttribute("aria-expanded", matches.length ? "true" : "false");
      if (matches.length) input.setAttribute("aria-activedescendant", list.id + "-" + active);
      else input.removeAttribute("aria-activedescendant");
    }
    async function search() {
      const raw = input.value, query = raw.trim();
      asked = raw;
      if (!query) { matches = []; render(); list.dataset.query = raw.toLowerCase(); return; }
      const response = await fetch(`/choix/${input.dataset.fuzzy}?q=${encodeURIComponent(query)}`,
                                   { headers: { Accept: "application/json" } });
      if (!response.ok || asked !== raw) return;  // a later keystroke already asked again
      matches = await response.json();
      active = 0;
      render();
      list.dataset.query = raw.toLowerCase();
    }
    function choose(i) {
      onChoose(matches[i]);
      matches = []; render();
      input.blur();
      refreshLabel();
    }
    input.addEventListener("input", search);
    // Before any letter: the places found in the text, the likeliest corrections.
    input.addEventListener("focus", () => {
      if (input.value.trim() || !input.dataset.suggested) return;
      const values = JSON.parse(input.dataset.suggested), names = JSON.parse(input.dataset.suggestedNames);
      matches = values.map((value, i) => ({ value, name: names[i], hint: "repéré dans le texte" }));
      active = 0; render();
    });
    input.addEventListener("blur", () => { setTimeout(() => { matches = []; render(); }, 150); });
    input.addEventListener("keydown", ev => {
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        ev.preventDefault();
        if (!matches.length) return;
        active = (active + (ev.key === "ArrowDown" ? 1 : matches.length - 1)) % matches.length;
        render();
      } else if (ev.key === "Enter") {
        ev.preventDefault();
        if (matches.length) choose(active);
      } else if (ev.key === "Escape") {
        matches = []; render(); input.blur();
      }
    });
  }
  const communeSearch = document.getElementById("commune-search");
  picker(communeSearch, document.getElementById("commune-list"), m => { select.value = m.value; communeSearch.value = ""; });
  const adminSearch = document.getElementById("administration-search");
  picker(adminSearch, document.getElementById("administration-list"), m => { adminValue.value = m.value; adminSearch.value = m.name; });

  comment.addEventListener("keydown", ev => {
    if (ev.key === "Escape") comment.blur();
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); send(); }
  });
  due.addEventListener("keydown", ev => { if (ev.key === "Escape") due.blur(); if (ev.key === "Enter") { ev.preventDefault(); due.blur(); } });
  due.addEventListener("change", refreshLabel);
  radios.forEach(r => r.addEventListener("change", refreshLabel));
  select.addEventListener("change", refreshLabel);

  // Digits by their position on the keyboard (ev.code), so that AZERTY needs no Shift.
  function keyOf(ev) {
    const digit = /^(?:Digit|Numpad)([0-9])$/.exec(ev.code || "");
    return digit ? digit[1] : ev.key;
  }
  document.addEventListener("keydown", ev => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.defaultPrevented) return;
    const target = ev.target;
    const typing = target.matches("textarea, select, input:not([type=radio]):not([type=checkbox])");
    if (typing) return;
    const key = keyOf(ev);
    const radio = editable && radios.find(r => r.dataset.key && r.dataset.key === key);
    if (ev.key === "Enter") {
      if (target.matches("a, button, summary")) return;  // Enter on a link or a button does what it says
      ev.preventDefault();
      send();
    } else if (radio) {
      radio.checked = true; radio.blur(); refreshLabel(); ev.preventDefault();
    } else if ((ev.key === "c" || ev.key === "/") && editable) {
      ev.preventDefault(); communeSearch.focus();
    } else if (ev.key === "a" && editable && !adminField.hidden) {
      ev.preventDefault(); adminSearch.focus();
    } else if (ev.key === "e" && editable) {
      ev.preventDefault(); due.focus();
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
