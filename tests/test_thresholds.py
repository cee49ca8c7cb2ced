"""Auto-routing thresholds that hold: ties, near-duplicate training texts, calibration."""
import random
import re

from pipeline.classify.dataset import Example, load_seed
from pipeline.classify.features import featurize
from pipeline.classify.near_duplicates import groups
from pipeline.classify.quality import NEVER, auto_routing, choose_thresholds
from pipeline.classify.training import fit
from pipeline.reference import load_reference
from tests.conftest import ROOT

TARGET = 0.95
NAMES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau"]


def near_copy(text: str, rng: random.Random) -> str:
    """A form letter filled in by someone else: other numbers, another signature, a word dropped."""
    text = re.sub(r"\d", lambda _: str(rng.randint(0, 9)), text)
    words = text.split(" ")
    del words[rng.randrange(len(words))]
    return " ".join(words) + f"\n{rng.choice(['M.', 'Mme'])} {rng.choice(NAMES)}"


def test_tied_probabilities_fall_on_the_same_side_of_the_threshold():
    # 200 right answers at distinct probabilities, then 40 at exactly 0.5 of which 20 wrong.
    confidence = [1 - i / 1000 for i in range(200)] + [0.5] * 40
    predicted = ["dechets"] * 240
    truth = ["dechets"] * 220 + ["voirie"] * 20
    threshold = choose_thresholds(predicted, confidence, truth, 0.97)["dechets"]
    routed = auto_routing(predicted, confidence, truth, {"dechets": threshold})
    assert threshold > 0.5 and routed["precision"] == 1.0 and routed["n"] == 200


def test_a_competence_below_the_target_goes_to_review_while_the_others_are_routed():
    rng = random.Random(3)
    predicted, confidence, truth = [], [], []
    for _ in range(400):
        predicted.append("dechets"); confidence.append(rng.uniform(0.8, 1)); truth.append("dechets")
    for index in range(60):  # "voirie" is wrong one time in three, at any probability
        predicted.append("voirie"); confidence.append(rng.uniform(0.8, 1))
        truth.append("voirie" if index % 3 else "eau_assainissement")
    thresholds = choose_thresholds(predicted, confidence, truth, 0.97, labels=["dechets", "voirie", "habitat"])
    assert thresholds["voirie"] == NEVER
    assert thresholds["dechets"] <= 0.85  # pooled evidence: most of its predictions go out
    assert thresholds["habitat"] < NEVER  # never predicted: the common threshold


def test_near_duplicates_are_grouped_and_distinct_texts_are_not():
    rng = random.Random(5)
    seed = [e.text for e in load_seed(ROOT / "data/seed", _codes())][:300]
    words = [r["words"] for r in featurize(seed + [near_copy(t, rng) for t in seed[:100]])]
    found = groups(words)
    assert sum(found[i] == found[300 + i] for i in range(100)) >= 95
    assert len(set(found[:300])) >= 295  # different letters stay apart


def test_thresholds_chosen_with_duplicated_training_texts_keep_the_target_on_held_out_data():
    """Campaigns and form letters: 60 training letters come 6 to 12 times each, copied or filled
    in by others. Their copies must not vouch for each other: on letters the model never saw,
    what it routes without review is at least as precise as the target."""
    rng = random.Random(11)
    examples = load_seed(ROOT / "data/seed", _codes())
    rng.shuffle(examples)
    cut = int(len(examples) * 0.6)
    train, held_out = examples[:cut], examples[cut:]
    campaigns = []
    for example in train[:60]:
        for _ in range(rng.randint(6, 12)):
            text = example.text if rng.random() < 0.3 else near_copy(example.text, rng)
            campaigns.append(Example(text, example.competence))
    model = fit(train + campaigns, target_precision=TARGET)

    assert model.out_of_fold["groups"] <= len(train) + 5  # each campaign is one group
    rows = featurize([e.text for e in held_out])
    probabilities = model.predict_proba(rows)
    predicted = list(model.classes_[probabilities.argmax(axis=1)])
    routed = auto_routing(predicted, probabilities.max(axis=1), [e.competence for e in held_out], model.thresholds)
    assert routed["n"] >= len(held_out) * 0.1, routed  # not everything sent to review
    assert routed["precision"] >= TARGET, routed


def _codes() -> set[str]:
    return {c.code for c in load_reference(ROOT / "data/reference").competences}


def test_a_large_training_set_is_fitted_by_stochastic_gradient_descent_as_accurately():
    """Beyond EXACT_UP_TO examples per fold the hinge loss is minimised by SGD (liblinear's time
    grows too fast): on the seed corpus repeated with noise, it separates the competences as well."""
    from sklearn.linear_model import SGDClassifier
    from sklearn.svm import LinearSVC
    from pipeline.classify.features import vectorizer
    from pipeline.classify.training import EXACT_UP_TO, classifier
    rng = random.Random(3)
    examples = load_seed(ROOT / "data/seed", _codes())
    rng.shuffle(examples)
    train, test = examples[:1000], examples[1000:]
    large = [Example(near_copy(e.text, rng), e.competence) for e in train for _ in range(5)]
    features = vectorizer()
    matrix = features.fit_transform(featurize([e.text for e in large]))
    assert isinstance(classifier(EXACT_UP_TO), LinearSVC) and isinstance(classifier(len(large)), SGDClassifier)
    model = classifier(len(large)).fit(matrix, [e.competence for e in large])
    predicted = model.predict(features.transform(featurize([e.text for e in test])))
    assert sum(p == e.competence for p, e in zip(predicted, test)) / len(test) >= 0.75
