"""Applying the active competence model to items: top-3 competences with probabilities."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language

from pipeline.classify.features import featurize
from pipeline.classify.model_files import ModelInfo, load_model
from pipeline.classify.training import CompetenceClassifier
from pipeline.errors import ModelError
from pipeline.item import Item, Scored

TOP_K = 3


@dataclass
class CompetenceModel:
    model: object
    info: ModelInfo
    nlp: Language | None = None  # accepted from the run's stages; the features no longer need spaCy

    @classmethod
    def load(cls, model_dir: Path, version: str | None = None, nlp: Language | None = None) -> "CompetenceModel":
        model, info = load_model(model_dir, version)
        if not isinstance(model, CompetenceClassifier):
            raise ModelError(f"le modèle {info.version} a été entraîné avec une version précédente des "
                             "caractéristiques et ne peut plus être lu", hint="triage train")
        return cls(model, info, nlp)

    def threshold(self, competence: str | None, default: float) -> float:
        """The top-1 probability above which this competence is routed without review.

        Models trained with a held-out split carry one threshold per competence, chosen for the
        admin's target precision; older models fall back to the configured single threshold.
        """
        thresholds = self.info.metadata.get("thresholds") or {}
        return thresholds.get(competence, default) if thresholds else default

    def classify(self, items: list[Item]) -> list[Item]:
        """Each item with its top-k competences, best first."""
        if not items:
            return []
        probabilities = self.model.predict_proba(featurize([item.text for item in items]))
        labels = self.model.classes_
        out = []
        for item, row in zip(items, probabilities):
            best = sorted(zip(labels, row), key=lambda pair: -pair[1])[:TOP_K]
            out.append(item.with_(competences=tuple(Scored(str(l), round(float(p), 4)) for l, p in best),
                                  model_version=self.info.version))
        return out
