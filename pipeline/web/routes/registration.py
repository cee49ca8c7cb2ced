"""The registration fields of an item (sender, address, dates, subject, follow-up link), typed by a clerk.

The item page includes `_registration.html` and `_followups.html`; they read what they show through the
two template functions registered here, so the item page's own route does not change.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from pipeline.store import followups as store_followups
from pipeline.store import registration as store
from pipeline.web.auth import CurrentUser, current_user, db, flash
from pipeline.web.pages import FIELDS, templates
from pipeline.web.review import ACTIONS

router = APIRouter()
FORM_FIELDS = ("sender", "sender_email", "sender_address", "sender_postcode", "sender_town", "sender_phone",
               "sender_reference", "subject", "letter_date", "received_at", "followup_chrono")
LABELS = {"sender": "Expéditeur", "sender_email": "Courriel", "sender_address": "Adresse",
          "sender_postcode": "Code postal", "sender_town": "Ville", "sender_phone": "Téléphone",
          "sender_reference": "Référence de l'expéditeur", "subject": "Objet", "letter_date": "Date du courrier",
          "received_at": "Reçu le", "followup_of": "Suite de"}
FIELDS.update({k: v for k, v in LABELS.items() if k not in FIELDS})  # the audit trail names them in French
ACTIONS.setdefault(store.ACTION, "Enregistrement modifié")


def registration_of(request: Request, item_id: int):
    with request.app.state.database() as session:
        return store.registration_of(session, item_id)


def followups_of(request: Request, item_id: int) -> dict:
    with request.app.state.database() as session:
        return {"earlier": store_followups.earlier_items(session, item_id),
                "later": store_followups.later_items(session, item_id)}


templates.env.globals.update(registration_of=registration_of, followups_of=followups_of,
                             registration_labels=LABELS)


@router.post("/elements/{item_id}/enregistrement")
async def save_registration(item_id: int, request: Request, user: CurrentUser = Depends(current_user),
                            session=Depends(db)):
    form = await request.form()
    back = f"/elements/{item_id}?{form.get('retour', '')}"
    try:
        version = int(form.get("version", ""))
    except ValueError:
        flash(request, "Formulaire incomplet : rechargez la page.", "error")
        return RedirectResponse(back, status_code=303)
    values = {name: str(form.get(name, "")) for name in FORM_FIELDS if name in form}
    try:
        store.update_registration(session, item_id, version, values, user.username)
    except store.Stale:
        flash(request, "Cet élément a été modifié entre-temps : rien n'a été enregistré. Vérifiez puis recommencez.",
              "error")
    except store.Invalid as exc:
        flash(request, f"Enregistrement refusé : {exc}", "error")
    else:
        flash(request, "Enregistrement mis à jour.")
    return RedirectResponse(back + "#enregistrement", status_code=303)
