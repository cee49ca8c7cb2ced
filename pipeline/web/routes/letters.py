"""Letters on the page: the list, completing a draft, printing it (PDF), recording that it was posted.

Drafting stays with `triage letters draft` (and the night's run); email letters are sent by
`triage letters send`. What a clerk does by hand is here: fill in the missing address, reread the
text, print the paper ones and say they went out.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from pipeline.letters import KIND_FR
from pipeline.letters.render import write_pdf
from pipeline.store import letters as store
from pipeline.web.auth import CurrentUser, current_user, db, flash

router = APIRouter(prefix="/courriers")
STATES = {"draft": "À envoyer", "failed": "Envoi échoué", "sent": "Envoyées", "cancelled": "Annulées"}


def _letter(session, letter_id: int) -> store.LetterView:
    found = store.letter(session, letter_id)
    if found is None:
        raise HTTPException(404)
    return found


@router.get("")
def letters_list(request: Request, etat: str = "draft", user: CurrentUser = Depends(current_user),
                 session=Depends(db)):
    from pipeline.web.pages import render
    status = etat if etat in STATES else None
    return render(request, "letters.html", letters=store.letters_page(session, status), state=etat, states=STATES,
                  kinds=KIND_FR)


@router.get("/{letter_id}")
def letter_page(letter_id: int, request: Request, user: CurrentUser = Depends(current_user), session=Depends(db)):
    from pipeline.web.pages import render
    return render(request, "letter.html", letter=_letter(session, letter_id), kinds=KIND_FR, states=STATES)


@router.post("/{letter_id}")
def complete(letter_id: int, request: Request, destinataire: str = Form(""), courriel: str = Form(""),
             objet: str = Form(""), texte: str = Form(""), user: CurrentUser = Depends(current_user),
             session=Depends(db)):
    """Save the completed draft (an email address makes it an email letter, none a printed one)."""
    if store.complete_draft(session, letter_id, recipient=destinataire.strip(), recipient_email=courriel.strip(),
                            subject=objet.strip(), body=texte.replace("\r\n", "\n")):
        if "[" in texte or "[" in destinataire:
            flash(request, f"Lettre n° {letter_id} enregistrée, mais il reste des passages entre crochets à "
                           "compléter (par exemple « [adresse à compléter] ») avant de l'envoyer.", "error")
        else:
            flash(request, f"Lettre n° {letter_id} enregistrée.")
    else:
        flash(request, "Cette lettre est déjà envoyée : elle ne peut plus être modifiée.", "error")
    return RedirectResponse(f"/courriers/{letter_id}", status_code=303)


@router.get("/{letter_id}/lettre.pdf")
def printable(letter_id: int, request: Request, user: CurrentUser = Depends(current_user), session=Depends(db)):
    """The letter as it stands now, on the organisation's letterhead (A4 PDF, to print and post)."""
    letter = _letter(session, letter_id)
    settings = request.app.state.settings
    out = Path(settings.letters.out_dir or Path(settings.data_dir) / "letters")
    recipient = [line for line in [letter.recipient, *(["[adresse à compléter]"] if not letter.recipient_email
                                                         and not letter.recipient else [])] if line]
    path = write_pdf(out / f"{letter.chrono}-{letter.kind}.pdf", settings.letters, recipient=recipient,
                     subject=letter.subject, body=letter.body, reference=letter.chrono,
                     on=datetime.now(request.app.state.zone).date())
    if letter.status != "sent":
        store.set_pdf(session, letter_id, str(path))
    return Response(path.read_bytes(), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{letter.chrono}-{letter.kind}.pdf"'})


@router.post("/{letter_id}/envoyee")
def posted(letter_id: int, request: Request, confirmation: str = Form(""), user: CurrentUser = Depends(current_user),
           session=Depends(db)):
    if confirmation != "oui":
        flash(request, "Cochez « Je l'ai posté » pour enregistrer l'envoi.", "error")
    elif store.mark_posted(session, letter_id, user.username):
        flash(request, f"Lettre n° {letter_id} enregistrée comme envoyée par {user.username}.")
    else:
        flash(request, "Cette lettre était déjà enregistrée comme envoyée : rien n'a changé.", "info")
    return RedirectResponse(f"/courriers/{letter_id}", status_code=303)
