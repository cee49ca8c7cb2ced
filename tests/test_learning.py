"""The learning loop: clerks' corrections teach the next model; a worse challenger is refused."""
import csv
import json
import os
import random
import shutil
from datetime import datetime, timedelta, timezone

import pytest

from pipeline import learning
from pipeline.classify import model_files
from pipeline.classify.dataset import load_seed
from pipeline.classify.lifecycle import train_and_decide
from pipeline.classify.predict import CompetenceModel
from pipeline.classify.quality import NEVER, choose_thresholds
from pipeline.classify.training import fit
from pipeline.errors import ModelError
from pipeline.item import Document, Item, Part
from pipeline.store.database import open_database
from pipeline.store.schema import ItemRow
from tests.conftest import DATA, ROOT, make_settings

# A kind of request the seed corpus does not cover: beekeepers declaring hives, swarms in gardens.
OPENINGS = ["Bonjour,", "Madame, Monsieur,", "Bonjour à vous,", "Objet : abeilles", "Bonsoir,"]
REQUESTS = [
    "je suis apiculteur amateur et je voudrais déclarer mes {n} ruches installées au fond du jardin",
    "un essaim d'abeilles s'est posé dans le cerisier de mon voisin, qui peut venir le récupérer",
    "nous voudrions installer des ruches sur le toit de notre immeuble, faut-il une autorisation",
    "un rucher de {n} colonies a été installé à 5 mètres de notre terrasse, est-ce réglementaire",
    "je cherche un apiculteur pour récupérer un essaim accroché sous notre balcon",
    "notre association souhaite parrainer des ruches pédagogiques pour le miel et les pollinisateurs",
    "mes abeilles ont été décimées par le frelon asiatique, existe-t-il une aide pour les ruchers",
    "peut-on poser des ruches dans un jardin partagé et qui tient le registre des ruchers",
]
CLOSINGS = ["Merci d'avance.", "Cordialement,", "Bien à vous.", "Merci pour votre aide.", "Salutations."]


def bee_texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [f"{rng.choice(OPENINGS)}\n{rng.choice(REQUESTS).format(n=rng.randint(2, 12))}.\n{rng.choice(CLOSINGS)}\n"
            f"{rng.choice(['Marc', 'Julie', 'M. Petit', 'Famille Roy', 'Nadia'])}" for _ in range(count)]


@pytest.fixture
def loop(tmp_path, model_dir):
    """A private copy of the session's model folder and a fresh database."""
    models = tmp_path / "models"
    shutil.copytree(model_dir, models)
    settings = make_settings(tmp_path, models)
    return settings, open_database(settings.database_url)


def add_corrected_items(sessions, texts: list[str], competence: str) -> None:
    start = datetime(2026, 11, 1, tzinfo=timezone.utc)
    with sessions() as session:
        for number, text in enumerate(texts):
            when = start + timedelta(hours=number)
            session.add(ItemRow(chrono=f"T-{number}", channel="email", sha256=f"{number:064d}", filename="x.eml",
                                received_at=when, created_at=when, text=text, status="corrected",
                                competence=competence, destination="", review_reasons=[], urgent_reasons=[]))
        session.commit()


def share_routed_to(model: CompetenceModel, texts: list[str], competence: str) -> float:
    items = [Item(document=Document("t", "t", "t.eml", b"t"), channel="email",
                  parts=(Part("corps", "text/plain", "body", text=t),)) for t in texts]
    return sum(i.competence == competence for i in model.classify(items)) / len(texts)


def test_clerk_corrections_on_a_new_topic_teach_the_retrained_model(loop):
    settings, sessions = loop
    probes = bee_texts(20, seed=99)
    champion = CompetenceModel.load(settings.classifier.model_dir)
    before = share_routed_to(champion, probes, "environnement")
    add_corrected_items(sessions, bee_texts(40, seed=1), "environnement")

    result = learning.train(settings, sessions)

    assert result.promoted, result.reason
    assert result.metrics["n"] > 200  # the latest corrections and a share of the seed corpus
    after = share_routed_to(CompetenceModel.load(settings.classifier.model_dir), probes, "environnement")
    # The seed corpus knows biodiversity and invasive species, not hives: some probes are already right.
    assert before <= 0.6 and after >= 0.9 and after - before >= 0.3, (before, after)
    assert model_files.active_version(settings.classifier.model_dir) == result.challenger.version
    assert result.metrics["per_competence"]["environnement"]["support"] > 0
    assert (settings.classifier.model_dir / f"competence-{result.challenger.version}.confusion.png").exists()


def test_worse_challenger_is_refused_then_forced_then_rolled_back(loop):
    settings, _ = loop
    model_dir = settings.classifier.model_dir
    champion = model_files.active_version(model_dir)
    examples = load_seed(ROOT / "data/seed", learning.competence_codes(settings))
    rng = random.Random(7)

    def shuffled_labels(train):  # a deliberately worse challenger
        labels = [e.competence for e in train]
        rng.shuffle(labels)
        return fit([type(e)(e.text, label) for e, label in zip(train, labels)])

    refused = train_and_decide(examples, model_dir, target_precision=0.97, fitter=shuffled_labels)
    assert not refused.promoted
    assert "moins bon" in refused.reason
    assert refused.metrics["macro_f1"] < refused.champion_metrics["macro_f1"]
    assert model_files.active_version(model_dir) == champion
    assert model_files.read_metadata(model_dir, refused.challenger.version)["decision"]["promoted"] is False

    forced = train_and_decide(examples, model_dir, target_precision=0.97, fitter=shuffled_labels, force=True)
    assert forced.promoted and model_files.active_version(model_dir) == forced.challenger.version
    assert model_files.rollback(model_dir) == champion
    assert model_files.active_version(model_dir) == champion


def test_historical_mail_is_imported_once_from_csv_and_from_a_labelled_folder(loop, tmp_path):
    settings, sessions = loop
    path = tmp_path / "historique.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["text", "competence", "commune", "received_at"])
        writer.writerow(["Mon bac jaune n'a pas été vidé mardi.", "dechets", "25056", "2025-03-02"])
        writer.writerow(["Fuite d'eau devant le 3 rue de Belfort.", "eau_assainissement", "25056", ""])
    assert learning.import_labelled(path, settings, sessions) == (2, 0)
    assert learning.import_labelled(path, settings, sessions) == (0, 2)

    folder = tmp_path / "archives"
    folder.mkdir()
    shutil.copy2(DATA / "letter_scan.png", folder)
    shutil.copy2(DATA / "email_with_pdf.eml", folder)
    (folder / "labels.jsonl").write_text(
        json.dumps({"file": "letter_scan.png", "competence": "dechets", "commune": "25560", "shape": "png"}) + "\n"
        + json.dumps({"file": "email_with_pdf.eml", "competence": "eau_assainissement", "commune": "25056",
                      "shape": "attached_letter"}) + "\n")
    assert learning.import_labelled(folder, settings, sessions) == (2, 0)
    examples = learning.gather(settings, sessions)
    imported = [e for e in examples if e.origin.startswith("import:")]
    assert len(imported) == 4 and any("Thise" in e.text for e in imported)  # the scan was OCRed


def test_tampered_or_writable_model_file_is_refused(loop):
    settings, _ = loop
    model_dir = settings.classifier.model_dir
    meta = model_files.read_metadata(model_dir, model_files.active_version(model_dir))
    path = model_dir / meta["file"]
    os.chmod(path, 0o666)
    with pytest.raises(ModelError, match="modifiable"):
        model_files.load_model(model_dir)
    os.chmod(path, 0o644)
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="empreinte"):
        model_files.load_model(model_dir)


def test_thresholds_give_the_target_precision_on_the_split():
    # 100 right answers of "dechets" from 0.995 down to 0.50, then under 0.46 one in two is wrong.
    confidence = [round(0.995 - i * 0.005, 3) for i in range(100)] + [round(0.455 - i * 0.005, 3) for i in range(20)]
    predicted = ["dechets"] * 120
    truth = ["dechets"] * 100 + ["dechets", "voirie"] * 10
    predicted += ["voirie"] * 6  # "voirie" is never right
    confidence += [0.95, 0.9, 0.85, 0.8, 0.75, 0.7]
    truth += ["dechets"] * 6
    thresholds = choose_thresholds(predicted, confidence, truth, 0.97)
    assert 0.45 < thresholds["dechets"] <= 0.5  # the errors stay under the threshold, the right answers above
    assert thresholds["voirie"] == NEVER  # clearly imprecise: always reviewed


def test_the_stored_model_learns_from_the_held_out_part_and_is_judged_on_it_out_of_fold(tmp_path):
    """Every example trains the stored model; the held-out part is measured by fold models that never
    saw it, and the next challenger is compared with this champion on those out-of-fold answers,
    not on the champion's homework."""
    examples = load_seed(ROOT / "data/seed", learning.competence_codes(make_settings(tmp_path, tmp_path)))
    model_dir = tmp_path / "fresh-models"
    first = train_and_decide(examples, model_dir, target_precision=0.97)
    trained = (model_dir / f"competence-{first.challenger.version}.trained.txt").read_text().split("\n")
    assert len(trained) == first.challenger.metadata["out_of_fold"]["n"] > len(examples) * 0.9
    assert all(len(line.split()) == 3 for line in trained)  # fingerprint, out-of-fold label, probability
    assert 0.7 < first.metrics["accuracy"] < 0.99  # out of fold: not the 100 % of a model judged on what it saw

    second = train_and_decide(examples, model_dir, target_precision=0.97)
    assert second.compared["n"] == first.metrics["n"]  # all of the held-out part, fairly
    assert second.champion_metrics["accuracy"] == pytest.approx(second.compared["accuracy"], abs=0.02)
    assert second.promoted
