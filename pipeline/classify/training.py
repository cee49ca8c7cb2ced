"""Fitting the competence model: features, a logistic regression, its calibration and its
auto-routing thresholds, all from out-of-fold predictions.

The features are fitted once on every training text (they never see a label); the classifier is
fitted once per fold, on folds that keep each group of near-duplicates together, and the model
kept is the mean of the fold models. The out-of-fold probabilities are the honest ones: a
temperature fitted on them calibrates the model, and the per-competence thresholds are chosen on them.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.linear_model import SGDClassifier
from sklearn.svm import LinearSVC

from pipeline.classify.dataset import Example
from pipeline.classify.features import FeatureUnion, featurize, vectorizer
from pipeline.classify.near_duplicates import groups as near_duplicate_groups
from pipeline.classify.progress import Report
from pipeline.classify.quality import choose_thresholds

FOLDS = 5
LARGE_FOLDS = 3  # beyond STRATIFIED_UP_TO groups: three fits of two thirds are plenty
STRATIFIED_UP_TO = 5_000
C = 1.0
EXACT_UP_TO = 4_000  # training examples of a fold model; beyond, stochastic gradient descent
SGD_WORK = 100_000  # examples seen per class and fit: 20 passes over 5,000 examples, 5 (the least) over 20,000+
DEFAULT_TARGET = 0.97
ABSENT = -1e3  # the logit of a competence a fold's model never saw
Progress = Report


@dataclass
class CompetenceClassifier:
    """The fitted model: scikit-learn-like `classes_`, `predict_proba` and `predict` on feature rows.

    Its probability is the mean of the fold models' calibrated probabilities: each fold model is
    exactly what the out-of-fold figures measured, and averaging makes the whole a little less sure
    of itself than any one of them, never more, so the thresholds chosen out of fold hold. (A model
    refitted on everything, or the mean of the fold models' weights, is surer of itself than what
    was measured, and its thresholds let through more errors than the target allows.)
    """

    features: FeatureUnion
    members: list
    classes_: np.ndarray
    temperature: float = 1.0
    thresholds: dict[str, float] = field(default_factory=dict)
    out_of_fold: dict = field(default_factory=dict)  # figures of the out-of-fold predictions

    def predict_proba(self, rows: list[dict]) -> np.ndarray:
        matrix = self.features.transform(rows)
        total = np.zeros((matrix.shape[0], len(self.classes_)))
        for member in self.members:
            total += softmax(_aligned(member, self.classes_, matrix) / self.temperature, axis=1)
        return total / len(self.members)

    def predict(self, rows: list[dict]) -> np.ndarray:
        return self.classes_[self.predict_proba(rows).argmax(axis=1)]


def classifier(examples: int = 0):
    """A linear SVM, one against the rest: as accurate as the logistic regression on our held-out
    split and ten times faster to fit; its margins become probabilities through the temperature
    fitted out of fold. Up to `EXACT_UP_TO` examples liblinear solves it exactly; beyond, the same
    hinge loss by passes of averaged stochastic gradient descent, whose time grows with the examples
    where liblinear's grows faster (a 50,000-letter archive: minutes against seconds). Measured on
    the seed corpus mixed with generated letters (2,600 examples): 0.949 accuracy against 0.952."""
    if examples <= EXACT_UP_TO:
        return LinearSVC(C=C, class_weight="balanced")
    passes = min(20, max(5, SGD_WORK // examples))
    return SGDClassifier(loss="hinge", alpha=1 / (C * examples), max_iter=passes, tol=None, average=True,
                         class_weight="balanced", random_state=13, n_jobs=-1)


def fit(examples: list[Example], **options) -> CompetenceClassifier:
    """The fitted model (see `fit_out_of_fold` for the options)."""
    return fit_out_of_fold(examples, **options)[0]


def fit_out_of_fold(examples: list[Example], *, target_precision: float = DEFAULT_TARGET, folds: int = FOLDS,
                    chars: bool = True, meaning: bool = False, subject: float = 0.0,
                    featurizer: Callable[[list[str]], list[dict]] = featurize,
                    progress: Progress | None = None, rows: list[dict] | None = None,
                    groups: list[int] | None = None) -> tuple[CompetenceClassifier, np.ndarray | None]:
    """The model and its calibrated out-of-fold probabilities (one row per example, columns in
    `classes_`; None when there was too little to split): each row comes from a fold model that
    never saw that example nor its near-duplicates, so it measures the model honestly.

    `featurizer` is for benchmarks comparing feature extractions; prediction always uses `featurize`.
    `rows` and `groups`, when the caller has them already, are the examples' features and near-duplicate groups."""
    progress = progress or (lambda step, done, total: None)
    progress("lecture des textes", 0, len(examples))
    rows = rows if rows is not None else featurizer([e.text for e in examples])
    truth = np.array([e.competence for e in examples])
    progress("lecture des textes", len(examples), len(examples))
    features = vectorizer(chars, meaning, subject)
    matrix = features.fit_transform(rows)
    groups = groups if groups is not None else near_duplicate_groups([r["words"] for r in rows])
    classes = np.array(sorted(set(truth)))
    logits = np.full((len(examples), len(classes)), ABSENT)
    splits = _folds(truth, groups, folds)
    members = []
    for number, (train, test) in enumerate(splits):
        progress("validation croisée", number, len(splits))
        member = classifier(len(train)).fit(matrix[train], truth[train])
        logits[test] = _aligned(member, classes, matrix[test])
        members.append(member)
    progress("validation croisée", len(splits), len(splits))
    if not splits:  # too little to split: one model, the default temperature, no threshold of its own
        return CompetenceClassifier(features, [classifier(len(truth)).fit(matrix, truth)], classes), None
    temperature = _temperature(logits, np.searchsorted(classes, truth))
    probabilities = softmax(logits / temperature, axis=1)
    predicted = classes[probabilities.argmax(axis=1)]
    sizes = Counter(groups)
    thresholds = choose_thresholds(list(predicted), probabilities.max(axis=1), list(truth), target_precision,
                                   labels=list(classes), weights=[1 / sizes[g] for g in groups])
    figures = {"folds": len(splits), "groups": len(set(groups)), "n": len(examples),
               "accuracy": round(float((predicted == truth).mean()), 4), "temperature": round(temperature, 4),
               "target_precision": target_precision}
    return CompetenceClassifier(features, members, classes, temperature, thresholds, figures), probabilities


def _folds(truth: np.ndarray, groups: list[int], folds: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Folds that keep near-duplicates together; none when there is too little to split.

    Up to `STRATIFIED_UP_TO` groups the folds are also stratified by competence; beyond, groups
    are dealt to folds at random (stratification is then a matter of numbers, and scikit-learn's
    stratified grouping search grows with the square of the groups), and fewer folds are fitted."""
    smallest = min(Counter(truth).values())
    distinct = len(set(groups))
    folds = min(folds if distinct <= STRATIFIED_UP_TO else LARGE_FOLDS, distinct, max(smallest, 2))
    if len(set(truth)) < 2 or folds < 2:
        return []
    if distinct <= STRATIFIED_UP_TO:
        return list(StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=13).split(truth, truth, groups))
    names, inverse = np.unique(np.asarray(groups), return_inverse=True)
    fold_of_group = np.random.default_rng(13).permutation(len(names)) % folds
    assigned = fold_of_group[inverse]
    return [(np.flatnonzero(assigned != k), np.flatnonzero(assigned == k)) for k in range(folds)]


def _aligned(member, classes: np.ndarray, matrix) -> np.ndarray:
    """A model's margins in the columns of all `classes` (ABSENT for those its fold lacked); a
    two-class model gives one margin per row, spread over two columns like the others."""
    decision = member.decision_function(matrix)
    if decision.ndim == 1:
        decision = np.column_stack([-decision / 2, decision / 2])
    out = np.full((matrix.shape[0], len(classes)), ABSENT)
    out[:, np.searchsorted(classes, member.classes_)] = decision
    return out


def _temperature(logits: np.ndarray, truth_index: np.ndarray) -> float:
    """The temperature minimising the log-loss of the out-of-fold predictions."""
    def loss(log_t: float) -> float:
        return -log_softmax(logits / np.exp(log_t), axis=1)[np.arange(len(truth_index)), truth_index].mean()
    return float(np.exp(minimize_scalar(loss, bounds=(-6, 3), method="bounded").x))
