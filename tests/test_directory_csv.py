"""The directory's CSV file: a round trip keeps everything, a bad line is refused with its number."""
from __future__ import annotations

from datetime import date

import pytest

from pipeline.directory import AgentData, CopyData, DirectoryData, DirectoryFileError, EntryData, read_csv, write_csv

DATA = DirectoryData(
    entries=[EntryData("service", "eau_assainissement", "Direction de l'eau et de l'assainissement",
                       "eau@grandbesancon.fr", "03 81 00 00 01", "4 rue Gabriel Plançon\n25043 Besançon Cedex",
                       "Claire Exemple", "claire.exemple@grandbesancon.fr", 8),
             EntryData("mairie", "25560", "Mairie de Thise", address="Mairie\n25220 Thise", active=False),
             EntryData("administration", "caf-doubs", "Caisse d'allocations familiales du Doubs", phone="3230",
                       words=["caf", "apl", "prime d'activité"])],
    agents=[AgentData("eau_assainissement", "Claire Exemple", "claire.exemple@grandbesancon.fr", "cexemple", True),
            AgentData("eau_assainissement", "Paul Essai", "", "pessai", False, date(2026, 12, 21), date(2027, 1, 2),
                      "Claire Exemple")],
    copies=[CopyData("eau_assainissement", "25560")])


def test_a_round_trip_keeps_every_field():
    text = write_csv(DATA)
    assert text.splitlines()[0].startswith("type;code;nom;courriel")
    assert read_csv(text) == DATA
    assert read_csv("\ufeff" + text.replace(";", ",")) == DATA  # a spreadsheet's BOM, a comma-separated file


def test_a_bad_line_is_refused_naming_its_line():
    lines = write_csv(DATA).splitlines()
    lines[2] = lines[2].replace("Mairie de Thise", "Mairie de Thise").replace(";25560;", ";;")
    lines.insert(3, "agent;25560;Jean Test;pas-un-courriel;;;;;;;;;;;;")
    lines.insert(4, "agent;25560;Jeanne Test;;;;;;;;;;2026-13-01;;;")
    with pytest.raises(DirectoryFileError) as caught:
        read_csv("\n".join(lines))
    message = str(caught.value)
    assert "ligne 3 : code manquant" in message
    assert "ligne 4 : courriel de l'agent invalide « pas-un-courriel »" in message
    assert "ligne 5 : date invalide « 2026-13-01 »" in message
    assert message.startswith("fichier refusé, rien n'a été importé")


def test_a_file_without_the_columns_says_which_are_missing():
    with pytest.raises(DirectoryFileError, match="ligne 1 : colonne\\(s\\) manquante\\(s\\) : type, code"):
        read_csv("nom;courriel\nMairie de Thise;\n")


@pytest.mark.parametrize("cell, error", [("delai_jours", "délai en jours invalide « huit »"),
                                         ("type", "type inconnu « bureau »")])
def test_wrong_values_are_named(cell, error):
    row = {"type": "service", "code": "x", "nom": "X", "delai_jours": ""}
    row[cell] = {"delai_jours": "huit", "type": "bureau"}[cell]
    text = ";".join(row) + "\n" + ";".join(row.values()) + "\n"
    with pytest.raises(DirectoryFileError, match=f"ligne 2 : {error}"):
        read_csv(text)


def test_routing_reads_names_and_words_from_the_directory_and_falls_back_on_the_table():
    from pathlib import Path

    from pipeline.directory import routing_overlay
    from pipeline.item import Document, Item, Part, Scored
    from pipeline.reference import load_reference
    from pipeline.route import route
    from pipeline.routing_table import load_routing_table
    root = Path(__file__).resolve().parents[1]
    table, reference = load_routing_table(root / "config/routing.toml"), load_reference(root / "data/reference")

    def where(text, competence, commune, overlay):
        item = Item(document=Document("test", "ref", "x.eml", b"x"), channel="email", parts=(
            Part("corps", "text/plain", "body", text=text),), commune=commune, competences=(Scored(competence, 0.9),))
        return route(item, overlay, reference, 0.55, date(2026, 12, 21)).routing.destination

    assert routing_overlay(table, []) == table  # an empty directory routes as config says
    directory = routing_overlay(table, [
        EntryData("service", "dechets", "Service des déchets (annuaire)"),
        EntryData("mairie", "25560", "Mairie de Thise (annuaire)"),
        EntryData("administration", "enedis", "Enedis", words=["linky"]),
        EntryData("administration", "caf-doubs", "CAF du Doubs", words=["apl"], active=False)])
    assert where("bac", "dechets", None, directory) == "Service des déchets (annuaire)"
    assert where("école", "commune", "25560", directory) == "Mairie de Thise (annuaire)"
    assert where("mon compteur linky", "hors_competence", None, directory) == "Autre administration : Enedis"
    assert "à déterminer" in where("mes apl", "hors_competence", None, directory)  # deactivated: not chosen
    assert where("eau", "eau_assainissement", None, directory) == "Direction de l'eau et de l'assainissement"
