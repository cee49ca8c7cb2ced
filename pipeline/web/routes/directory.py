"""The "Annuaire" page (admins): services, town halls and administrations, their agents and substitutes,
the default copies per competence, the history of every change, and the CSV file both ways.

After each change the routing table the pages decide with is rebuilt from the directory, so a renamed
service or a new administration's words count from the next decision on.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from pipeline.directory import KINDS, DirectoryFileError, EntryData, entry_problems, read_csv, slug, write_csv
from pipeline.routing_table import load_routing_table
from pipeline.store import directory as store
from pipeline.store.directory_file import export_data, import_data
from pipeline.store.directory_seed import seed_directory
from pipeline.web.auth import CurrentUser, db, flash, require_admin
from pipeline.web.pages import render

router = APIRouter(prefix="/admin/annuaire")
HOME = "/admin/annuaire"
PLURALS = {"service": "Services de la métropole", "mairie": "Mairies", "administration": "Autres administrations"}
FIELDS = {"name": "nom", "email": "courriel", "phone": "téléphone", "address": "adresse", "head_name": "responsable",
          "head_email": "courriel du responsable", "engagement_days": "délai (jours ouvrés)", "words": "mots",
          "active": "active", "username": "identifiant", "is_head": "responsable", "absent_from": "absent(e) du",
          "absent_until": "absent(e) au", "substitute_id": "suppléant(e)", "competence": "compétence",
          "kind": "type", "code": "code"}
MAX_UPLOAD = 2 * 1024 * 1024
ACTIONS = {"seeded": "Créée (amorçage)", "created": "Créée", "updated": "Modifiée", "imported": "Import CSV",
           "deleted": "Supprimée", "person_added": "Agent ajouté", "person_updated": "Agent modifié",
           "person_removed": "Agent retiré", "copy_rule_added": "Copie par défaut ajoutée",
           "copy_rule_removed": "Copie par défaut retirée"}


def refresh_routing(request: Request) -> None:
    """Pages decide with the directory's names and words: rebuilt after every change."""
    state = request.app.state
    table = store.directory_table(state.database, load_routing_table(state.settings.routing_file))
    state.context = replace(state.context, table=table)
    if hasattr(state, "picker_choices"):
        state.picker_choices = {}


def _entry(session, entry_id: int) -> store.Entry:
    found = store.entry(session, entry_id)
    if found is None:
        raise HTTPException(404)
    return found


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _shown(session, request: Request):
    """How the history shows a value: yes/no, a substitute's name, a competence's label, "—" for nothing."""
    people = {p.id: p.name for p in store.persons(session)}
    competences = request.app.state.reference.competence_by_code

    def shown(key: str, value) -> str:
        if value in (None, "", []):
            return "—"
        if isinstance(value, bool):
            return "oui" if value else "non"
        if key == "substitute_id":
            return people.get(value, f"agent n° {value} (retiré)")
        if key == "competence" and value in competences:
            return competences[value].label
        return ", ".join(value) if isinstance(value, list) else str(value)
    return shown


@router.get("")
def directory(request: Request, type: str = "", q: str = "", user: CurrentUser = Depends(require_admin),
              session=Depends(db)):
    if seed_directory(session, request.app.state.settings):
        refresh_routing(request)
    kind = type if type in KINDS else ""
    found = store.entries(session, kind or None)
    if q.strip():
        words = q.strip().lower()
        found = [e for e in found if words in f"{e.name} {e.code} {e.email} {e.head_name}".lower()]
    people = store.persons(session)
    counts = {}
    for person in people:
        counts[person.entry_id] = counts.get(person.entry_id, 0) + 1
    everything = store.entries(session)
    rules = [(rule, next((e for e in everything if e.id == rule.entry_id), None)) for rule in store.copy_rules(session)]
    return render(request, "admin_directory.html", entries=found, kind=kind, kinds=KINDS, q=q, counts=counts,
                  rules=rules, everything=everything, plurals=PLURALS)


@router.get("/historique")
def history(request: Request, user: CurrentUser = Depends(require_admin), session=Depends(db)):
    names = {e.id: e.name for e in store.entries(session)}
    return render(request, "admin_directory_history.html", events=store.events(session, limit=500), names=names,
                  actions=ACTIONS, fields=FIELDS, shown=_shown(session, request))


@router.get("/annuaire.csv")
def export(request: Request, user: CurrentUser = Depends(require_admin), session=Depends(db)):
    text = write_csv(export_data(session))
    return Response(("\ufeff" + text).encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="annuaire.csv"'})


@router.post("/import")
async def import_file(request: Request, fichier: UploadFile = File(...), user: CurrentUser = Depends(require_admin),
                      session=Depends(db)):
    raw = await fichier.read(MAX_UPLOAD + 1)
    if len(raw) > MAX_UPLOAD:
        flash(request, "Fichier trop gros pour un annuaire (2 Mo au plus) : rien n'a été importé.", "error")
        return RedirectResponse(HOME, status_code=303)
    try:
        result = import_data(session, read_csv(raw.decode("utf-8-sig", errors="replace")), user.username)
    except DirectoryFileError as exc:
        flash(request, str(exc), "error")
        return RedirectResponse(HOME, status_code=303)
    refresh_routing(request)
    flash(request, f"Annuaire importé : {result.created} entrée(s) créée(s), {result.updated} modifiée(s), "
                   f"{result.agents} agent(s), {result.copies} copie(s) par défaut.")
    return RedirectResponse(HOME, status_code=303)


@router.post("/nouvelle")
def create(request: Request, kind: str = Form(...), name: str = Form(...), code: str = Form(""),
           user: CurrentUser = Depends(require_admin), session=Depends(db)):
    data = EntryData(kind, code.strip() or slug(name), name.strip())
    problems = entry_problems(data)
    if not problems and store.entry_by_code(session, data.code):
        problems = [f"le code « {data.code} » existe déjà"]
    if problems:
        flash(request, "Entrée refusée : " + " ; ".join(problems), "error")
        return RedirectResponse(HOME, status_code=303)
    created = store.create_entry(session, {"kind": data.kind, "code": data.code, "name": data.name}, user.username)
    session.commit()
    refresh_routing(request)
    flash(request, f"« {created.name} » ajoutée à l'annuaire : complétez ses coordonnées.")
    return RedirectResponse(f"{HOME}/{created.id}", status_code=303)


@router.get("/{entry_id:int}")
def entry_page(entry_id: int, request: Request, user: CurrentUser = Depends(require_admin), session=Depends(db)):
    found = _entry(session, entry_id)
    everyone = store.persons(session)
    names = {e.id: e.name for e in store.entries(session)}
    return render(request, "admin_directory_entry.html", entry=found, kinds=KINDS,
                  agents=[p for p in everyone if p.entry_id == entry_id], everyone=everyone, names=names,
                  events=store.events(session, entry_id), actions=ACTIONS, today=date.today(), fields=FIELDS,
                  shown=_shown(session, request),
                  rules=[r for r in store.copy_rules(session) if r.entry_id == entry_id])


@router.post("/{entry_id:int}")
def save(entry_id: int, request: Request, version: int = Form(...), name: str = Form(...), email: str = Form(""),
         phone: str = Form(""), address: str = Form(""), head_name: str = Form(""), head_email: str = Form(""),
         engagement_days: str = Form(""), words: str = Form(""), active: str = Form(""),
         user: CurrentUser = Depends(require_admin), session=Depends(db)):
    found = _entry(session, entry_id)
    days = engagement_days.strip()
    changes = {"name": name.strip(), "email": email.strip(), "phone": phone.strip(),
               "address": address.replace("\r\n", "\n").strip(), "head_name": head_name.strip(),
               "head_email": head_email.strip(), "engagement_days": int(days) if days.isdigit() else None,
               "words": [w.strip().lower() for w in words.replace("\n", ",").split(",") if w.strip()],
               "active": active == "1"}
    problems = entry_problems(EntryData(found.kind, found.code, **changes))
    if days and not days.isdigit():
        problems.append("délai d'engagement : un nombre de jours ouvrés, ou vide")
    if problems:
        flash(request, "Rien n'a été enregistré : " + " ; ".join(problems), "error")
        return RedirectResponse(f"{HOME}/{entry_id}", status_code=303)
    try:
        store.update_entry(session, entry_id, version, changes, user.username)
        session.commit()
    except store.Stale:
        session.rollback()
        flash(request, "Cette entrée a été modifiée entre-temps par un autre administrateur : rien n'a été "
                       "enregistré. Voici sa version actuelle ; recommencez.", "error")
        return RedirectResponse(f"{HOME}/{entry_id}", status_code=303)
    refresh_routing(request)
    flash(request, f"« {changes['name']} » enregistrée.")
    return RedirectResponse(f"{HOME}/{entry_id}", status_code=303)


@router.post("/{entry_id:int}/agents")
def add_agent(entry_id: int, request: Request, name: str = Form(...), email: str = Form(""), username: str = Form(""),
              is_head: str = Form(""), user: CurrentUser = Depends(require_admin), session=Depends(db)):
    _entry(session, entry_id)
    from pipeline.directory import AgentData, agent_problems
    if problems := agent_problems(AgentData("", name.strip(), email.strip())):
        flash(request, "Agent refusé : " + " ; ".join(problems), "error")
    else:
        store.add_person(session, entry_id, user.username, name=name.strip(), email=email.strip(),
                         username=username.strip(), is_head=is_head == "1")
        session.commit()
        flash(request, f"{name.strip()} ajouté(e).")
    return RedirectResponse(f"{HOME}/{entry_id}#agents", status_code=303)


@router.post("/agents/{person_id:int}")
def update_agent(person_id: int, request: Request, email: str = Form(""), username: str = Form(""),
                 is_head: str = Form(""), absent_from: str = Form(""), absent_until: str = Form(""),
                 substitute_id: str = Form(""), user: CurrentUser = Depends(require_admin), session=Depends(db)):
    from pipeline.directory import AgentData, agent_problems
    person = next((p for p in store.persons(session) if p.id == person_id), None)
    if person is None:
        raise HTTPException(404)
    start, end = _day(absent_from), _day(absent_until)
    problems = agent_problems(AgentData("", person.name, email.strip(), absent_from=start, absent_until=end))
    if end and not start:
        problems.append("absence : indiquez aussi la date de début")
    substitute = int(substitute_id) if substitute_id.isdigit() else None
    if not problems:
        try:
            store.update_person(session, person_id, user.username, email=email.strip(), username=username.strip(),
                                is_head=is_head == "1", absent_from=start, absent_until=end, substitute_id=substitute)
            session.commit()
        except ValueError as exc:
            session.rollback()
            problems.append(str(exc))
    if problems:
        flash(request, f"{person.name} : rien n'a été enregistré : " + " ; ".join(problems), "error")
    else:
        flash(request, f"{person.name} : enregistré.")
    return RedirectResponse(f"{HOME}/{person.entry_id}#agents", status_code=303)


@router.post("/agents/{person_id}/retirer")
def remove_agent(person_id: int, request: Request, user: CurrentUser = Depends(require_admin), session=Depends(db)):
    person = next((p for p in store.persons(session) if p.id == person_id), None)
    if person is None:
        raise HTTPException(404)
    store.remove_person(session, person_id, user.username)
    session.commit()
    flash(request, f"{person.name} retiré(e) de l'annuaire.")
    return RedirectResponse(f"{HOME}/{person.entry_id}#agents", status_code=303)


@router.post("/copies")
def add_rule(request: Request, competence: str = Form(...), entry_id: int = Form(...),
             user: CurrentUser = Depends(require_admin), session=Depends(db)):
    if competence not in request.app.state.reference.competence_by_code or store.entry(session, entry_id) is None:
        flash(request, "Copie refusée : choisissez une compétence et une entrée de l'annuaire.", "error")
    elif store.add_copy_rule(session, competence, entry_id, user.username):
        session.commit()
        flash(request, "Copie par défaut ajoutée : elle vaut pour les prochains courriers de cette compétence.")
    else:
        flash(request, "Cette copie par défaut existe déjà.", "info")
    return RedirectResponse(f"{HOME}#copies", status_code=303)


@router.post("/copies/{rule_id}/retirer")
def remove_rule(rule_id: int, request: Request, user: CurrentUser = Depends(require_admin), session=Depends(db)):
    store.remove_copy_rule(session, rule_id, user.username)
    session.commit()
    flash(request, "Copie par défaut retirée.")
    return RedirectResponse(f"{HOME}#copies", status_code=303)
