"""Fitting the competence model: the scikit-learn pipeline and its training."""
from __future__ import annotations

from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from pipeline.classify.dataset import Example
from pipeline.classify.features import featurize, vectorizer


def build_pipeline() -> Pipeline:
    return Pipeline([
        ("features", vectorizer()),
        ("classifier", LogisticRegression(C=20.0, max_iter=3000, class_weight="balanced")),
    ])


def fit(examples: list[Example]) -> Pipeline:
    model = build_pipeline()
    model.fit(featurize([e.text for e in examples]), [e.competence for e in examples])
    return model
