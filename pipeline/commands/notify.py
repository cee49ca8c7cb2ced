"""`triage notify`: tell the services by email (digests, urgent items, reminders, escalations), for cron."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from pipeline.commands.common import ConfigOption, err, open_for_writing, out
from pipeline.config import load_settings
from pipeline.errors import ExitCode

commands = typer.Typer()
KIND_WORDS = {"digest": "récapitulatif(s)", "urgent": "urgent(s)", "reminder": "rappel(s) d'échéance",
              "escalation": "retard(s) signalé(s) au responsable"}


@commands.command()
def notify(config: Optional[Path] = ConfigOption,
           digest: Optional[bool] = typer.Option(None, "--digest/--no-digest",
                                                 help="Envoyer les récapitulatifs maintenant / jamais "
                                                      "(défaut : une fois par jour, à partir de l'heure digest_hour de la section notify).")):
    """Prévient les services et les mairies par courriel : récapitulatif des nouveaux éléments, urgents,
    rappels avant échéance, retards signalés au responsable ; renvoie les messages en échec.

    Sort avec le code 6 si un envoi a échoué (il sera retenté au prochain passage).

    Exemple (cron, tous les quarts d'heure) : */15 7-19 * * 1-5 triage notify --config /etc/triage/triage.toml
    """
    from pipeline.notify.send import notify as run_notify
    settings = load_settings(config)
    outcome = run_notify(settings, open_for_writing(settings), digest=digest)
    queued = outcome.planned.queued
    out.print("Messages préparés : " + (", ".join(f"{n} {KIND_WORDS[k]}" for k, n in sorted(queued.items()))
                                        if queued else "aucun nouveau") + "."
              + ("" if outcome.digest else " Récapitulatifs : pas maintenant (voir --digest)."))
    out.print(f"Envoyés : {outcome.sent}.")
    for name in sorted(set(outcome.planned.unreachable)):
        err.print(f"Sans adresse dans l'annuaire : {name} (rien ne lui est envoyé).")
    if outcome.failing:
        err.print(f"En échec : {len(outcome.failing)} message(s), retentés au prochain passage "
                  f"(jusqu'à {settings.notify.max_attempts} essais) :")
        for mail in outcome.failing:
            err.print(f"  {mail.recipient} ({mail.entry_name or '?'}) : « {mail.subject} », {mail.attempts} essai(s) ; "
                      f"{mail.last_error}")
    raise typer.Exit(int(ExitCode.SEND_FAILED if outcome.failed_now else ExitCode.OK))
