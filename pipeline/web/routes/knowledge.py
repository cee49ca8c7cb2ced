"""The "Qui fait quoi" page: the reception team's procedures book, read by all, edited by admins.

Every save is a new whole version (store/knowledge.py); the history lists them with what changed
and lets an admin restore an older one. The item page shows which topics of the current book a
letter holds (the `knowledge_for` template function, used by _knowledge.html).
"""
from __future__ import annotations

import copy

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from pipeline.errors import ConfigError
from pipeline.knowledge import KINDS, KnowledgeBase, decide
from pipeline.stages import shipped_book
from pipeline.store import knowledge as store
from pipeline.web.auth import CurrentUser, current_user, db, flash, require_admin
from pipeline.web.pages import render, templates

router = APIRouter(prefix="/qui-fait-quoi")
BOOK = "/qui-fait-quoi"


def _codes(request: Request) -> frozenset[str]:
    return frozenset(c.code for c in request.app.state.reference.competences)


def _current(request: Request, session) -> tuple[store.Version, KnowledgeBase]:
    """The current version and its base, built once per version number for the whole app."""
    version = store.current_or_seed(session, shipped_book(request.app.state.settings).to_dict())
    cached = getattr(request.app.state, "knowledge", None)
    if cached is None or cached[0] != version.number:
        cached = (version.number, KnowledgeBase.from_dict(version.content))
        request.app.state.knowledge = cached
    return version, cached[1]


def knowledge_for(request: Request, text: str, choices: list[dict] | None = None):
    """What the current book says about a letter: its hits and the competence it gives precedence to
    (`choices`: the item page's competences with the model's scores)."""
    with request.app.state.database() as session:
        _, base = _current(request, session)
    scores = {c["code"]: c["score"] for c in choices or () if c.get("score") is not None}
    # Only what overrules even a sure model (a deciding word of the subject) is flagged to the clerk.
    return decide(base.hits(text or ""), scores, confident=True)


templates.env.globals["knowledge_for"] = knowledge_for


@router.get("")
def book(request: Request, user: CurrentUser = Depends(current_user), session=Depends(db)):
    version, base = _current(request, session)
    return render(request, "admin_knowledge.html", version=version, base=base, kinds=KINDS, shown=None)


@router.get("/historique")
def history(request: Request, user: CurrentUser = Depends(current_user), session=Depends(db)):
    _current(request, session)
    versions = store.history(session)
    changes = {v.number: _changes(older.content if older else {}, v.content)
               for v, older in zip(versions, [*versions[1:], None])}
    return render(request, "admin_knowledge_history.html", versions=versions, changes=changes)


@router.get("/versions/{number}")
def old_version(number: int, request: Request, user: CurrentUser = Depends(current_user), session=Depends(db)):
    current, _ = _current(request, session)
    shown = store.version(session, number)
    if shown is None:
        raise HTTPException(404)
    return render(request, "admin_knowledge.html", version=current, base=KnowledgeBase.from_dict(shown.content),
                  kinds=KINDS, shown=shown)


@router.post("/versions/{number}/restaurer")
def restore(number: int, request: Request, version: int = Form(...), user: CurrentUser = Depends(require_admin),
            session=Depends(db)):
    shown = store.version(session, number)
    if shown is None:
        raise HTTPException(404)
    return _save(request, session, user, shown.content, version, f"restauration de la version {number}")


@router.get("/{key}/{index}")
def edit_topic(key: str, index: int, request: Request, user: CurrentUser = Depends(require_admin),
               session=Depends(db)):
    version, base = _current(request, session)
    authority = base.authority(key)
    if authority is None or not 0 <= index <= len(authority.topics):
        raise HTTPException(404)
    topic = authority.topics[index] if index < len(authority.topics) else None
    return render(request, "admin_knowledge_topic.html", version=version, authority=authority, index=index,
                  topic=topic)


@router.post("/{key}/{index}")
def save_topic(key: str, index: int, request: Request, version: int = Form(...), topic: str = Form(""),
               words: str = Form(""), unless: str = Form(""), explanation: str = Form(""), decides: str = Form(""),
               delete: str = Form(""), note: str = Form(""), user: CurrentUser = Depends(require_admin),
               session=Depends(db)):
    current, _ = _current(request, session)
    content = copy.deepcopy(current.content)
    authority = next((a for a in content["authorities"] if a["key"] == key), None)
    if authority is None or not 0 <= index <= len(authority["topics"]):
        raise HTTPException(404)
    if delete:
        if index == len(authority["topics"]):
            raise HTTPException(404)
        removed = authority["topics"].pop(index)
        return _save(request, session, user, content, version, note or f"sujet supprimé : {removed['topic']}")
    if not topic.strip() or not _lines(words):
        flash(request, "Un sujet a besoin d'un nom et d'au moins un mot décisif.", "error")
        return RedirectResponse(f"{BOOK}/{key}/{index}", status_code=303)
    edited = {"topic": topic.strip(), "words": _lines(words), "unless": _lines(unless),
              "explanation": explanation.strip(), "decides": decides == "1"}
    if index == len(authority["topics"]):
        authority["topics"].append(edited)
    else:
        authority["topics"][index] = edited
    return _save(request, session, user, content, version, note or f"sujet « {edited['topic']} » ({authority['name']})")


@router.post("/{key}")
def save_authority(key: str, request: Request, version: int = Form(...), name: str = Form(...),
                   covers: str = Form(""), does_not_cover: str = Form(""), note: str = Form(""),
                   user: CurrentUser = Depends(require_admin), session=Depends(db)):
    current, _ = _current(request, session)
    content = copy.deepcopy(current.content)
    authority = next((a for a in content["authorities"] if a["key"] == key), None)
    if authority is None:
        raise HTTPException(404)
    authority.update(name=name.strip(), covers=covers.strip(), does_not_cover=does_not_cover.strip())
    return _save(request, session, user, content, version, note or f"autorité « {authority['name']} »")


def _save(request: Request, session, user: CurrentUser, content: dict, expected: int, note: str):
    try:
        KnowledgeBase.from_dict(content, _codes(request))
        saved = store.save(session, content, user.username, note.strip(), expected=expected)
    except ConfigError as exc:
        flash(request, f"Rien n'est enregistré : {exc}", "error")
    except store.KnowledgeConflict:
        flash(request, "Quelqu'un a enregistré une autre version pendant que vous modifiiez : rien n'est "
                       "enregistré. Voici la version à jour ; refaites votre modification.", "error")
    else:
        flash(request, f"Version {saved.number} enregistrée : elle s'applique au prochain traitement.")
    return RedirectResponse(BOOK, status_code=303)


def _lines(value: str) -> list[str]:
    return [w.strip() for w in value.replace(",", "\n").splitlines() if w.strip()]


def _changes(before: dict, after: dict) -> list[str]:
    """What a version changed, topic by topic, as an admin reads it."""
    def topics(content):
        return {(a["key"], t["topic"]): (a["name"], t) for a in content.get("authorities", []) for t in a["topics"]}

    old, new = topics(before), topics(after)
    out = [f"ajouté : {name} · {topic}" for (key, topic), (name, _) in new.items() if (key, topic) not in old]
    out += [f"supprimé : {name} · {topic}" for (key, topic), (name, _) in old.items() if (key, topic) not in new]
    for ref, (name, topic) in new.items():
        if ref in old and old[ref][1] != topic:
            was = old[ref][1]
            added = sorted(set(topic.get("words", [])) - set(was.get("words", [])))
            dropped = sorted(set(was.get("words", [])) - set(topic.get("words", [])))
            detail = "; ".join(filter(None, (added and "mots ajoutés : " + ", ".join(added),
                                             dropped and "mots retirés : " + ", ".join(dropped))))
            out.append(f"modifié : {name} · {ref[1]}" + (f" ({detail})" if detail else ""))
    olds = {a["key"]: a for a in before.get("authorities", [])}
    for a in after.get("authorities", []):
        was = olds.get(a["key"])
        if was and any(was.get(f) != a.get(f) for f in ("name", "covers", "does_not_cover")):
            out.append(f"modifié : {a['name']} (description)")
    return out if before else ["version initiale"]
