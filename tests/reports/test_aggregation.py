"""Aggregation and agreement, held to crowd-kit and nltk on the same answers (no database)."""

import numpy as np
import pandas as pd
import pytest
from crowdkit.aggregation import DawidSkene, MajorityVote
from nltk.metrics.agreement import AnnotationTask

from reports.aggregation import (
    Answers,
    dawid_skene,
    fleiss_kappa,
    glad,
    krippendorff_alpha_nominal,
    majority_vote,
)
from reports.encoding import encode, label_of

pytestmark = pytest.mark.filterwarnings("ignore:::crowdkit")


def synthetic(tasks=1500, workers=25, labels=3, per_task=5, seed=3):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, labels, tasks)
    accuracy = rng.uniform(0.3, 0.95, workers)
    t = np.repeat(np.arange(tasks), per_task)
    w = np.concatenate([rng.choice(workers, per_task, replace=False) for _ in range(tasks)])
    right = rng.random(len(t)) < accuracy[w]
    lab = np.where(right, truth[t], (truth[t] + rng.integers(1, labels, len(t))) % labels)
    return Answers.of(t, w, lab, tasks, workers, labels), truth


def frame(a: Answers) -> pd.DataFrame:
    return pd.DataFrame({"task": a.tasks, "worker": a.workers, "label": a.labels})


def test_dawid_skene_beats_majority_vote_and_matches_crowd_kit():
    # given answers of workers of known, very different accuracy
    answers, truth = synthetic()

    # when both methods aggregate them
    ds, mv = dawid_skene(answers), majority_vote(answers)

    # then Dawid–Skene recovers more true labels than the vote, and gives crowd-kit's labels
    assert (ds.labels == truth).mean() > (mv.labels == truth).mean() + 0.02
    expected = DawidSkene(n_iter=100).fit_predict(frame(answers)).sort_index().to_numpy()
    assert (ds.labels == expected).all()
    assert np.allclose(ds.confidence, ds.probas.max(axis=1))


def test_majority_vote_matches_crowd_kit_where_there_is_no_tie():
    answers, _ = synthetic(seed=5)
    counts = np.zeros((answers.n_tasks, answers.n_labels))
    np.add.at(counts, (answers.tasks, answers.labels), 1)
    untied = (counts == counts.max(axis=1, keepdims=True)).sum(axis=1) == 1
    expected = MajorityVote().fit_predict(frame(answers)).sort_index().to_numpy()
    assert (majority_vote(answers).labels[untied] == expected[untied]).all()


def test_glad_recovers_the_truth_at_least_as_well_as_the_vote():
    answers, truth = synthetic(seed=11)
    assert (glad(answers).labels == truth).mean() >= (majority_vote(answers).labels == truth).mean()


def test_a_tie_goes_to_the_first_label_in_sorted_order_with_half_confidence():
    # given one task answered a, b by two workers (labels coded in sorted order)
    answers = Answers.of([0, 0], [0, 1], [1, 0], 1, 2, 2)

    # then the vote picks label 0 with confidence 0.5
    result = majority_vote(answers)
    assert result.labels.tolist() == [0] and result.confidence.tolist() == [0.5]


def test_a_single_answer_is_the_answer():
    # given one task with one answer
    answers = Answers.of([0], [0], [2], 1, 1, 3)
    # then every method takes it; the vote and Dawid–Skene are sure, GLAD (which doubts a lone worker) less so
    for method in (majority_vote, dawid_skene):
        result = method(answers)
        assert result.labels.tolist() == [2] and result.confidence[0] == pytest.approx(1.0)
    result = glad(answers)
    assert result.labels.tolist() == [2] and 0.5 < result.confidence[0] <= 1.0


def test_a_task_with_no_answers_gets_no_label():
    # given three tasks, the middle one never answered
    answers = Answers.of([0, 0, 2], [0, 1, 0], [1, 1, 0], 3, 2, 2)
    for method in (majority_vote, dawid_skene, glad):
        result = method(answers)
        assert result.labels[1] == -1 and result.confidence[1] == 0
        assert result.labels[0] == 1 and result.labels[2] == 0


def test_no_answers_at_all():
    answers = Answers.of([], [], [], 2, 0, 0)
    for method in (majority_vote, dawid_skene, glad):
        assert method(answers).labels.tolist() == [-1, -1]


def test_multi_valued_answers_are_one_label_per_set_whatever_the_order():
    # given two workers who chose the same two options in another order, and one who chose one
    encoded = encode([(1, 10, {"tags": ["b", "a"]}), (1, 11, {"tags": ["a", "b"]}), (1, 12, {"tags": ["a"]})])
    answers, labels = encoded.answers("tags")

    # then the two sets are one label, and it wins
    assert labels == ['["a","b"]', '["a"]'] or labels == ['["a"]', '["a","b"]']
    assert labels[majority_vote(answers).labels[0]] == '["a","b"]'


def test_component_results_are_read_by_their_value():
    assert label_of({"selectedOption": 1}) == "1"
    assert label_of({"rating": 3.5}) == "3.5"
    assert label_of({"checked": True}) == "true"
    assert label_of("") is None and label_of(None) is None


def test_a_field_with_many_distinct_answers_is_free_text():
    rows = [(t, w, {"comment": f"{t}-{w}", "label": "x"}) for t in range(30) for w in range(3)]
    encoded = encode(rows, max_labels=50)
    assert encoded.fields["comment"].free_text and not encoded.fields["label"].free_text


def test_krippendorff_alpha_matches_nltk():
    answers, _ = synthetic(tasks=300, seed=2)
    task = AnnotationTask(
        data=[
            (str(w), str(t), str(label))
            for t, w, label in zip(answers.tasks, answers.workers, answers.labels, strict=True)
        ]
    )
    assert krippendorff_alpha_nominal(answers) == pytest.approx(task.alpha(), abs=1e-9)


def test_krippendorff_alpha_with_uneven_answers_per_task_matches_nltk():
    rows = [(0, 0, 0), (0, 1, 0), (0, 2, 1), (1, 0, 1), (1, 1, 1), (2, 0, 0), (2, 2, 1), (3, 1, 2)]
    t, w, lab = zip(*rows, strict=True)
    answers = Answers.of(t, w, lab, 4, 3, 3)
    task = AnnotationTask(data=[(str(a), str(b), str(c)) for b, a, c in rows])
    assert krippendorff_alpha_nominal(answers) == pytest.approx(task.alpha(), abs=1e-9)


def test_fleiss_kappa_of_the_textbook_example():
    # Fleiss (1971) as reprinted everywhere: 10 subjects, 14 raters, 5 categories → kappa 0.210
    table = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    t, w, lab = [], [], []
    for subject, counts in enumerate(table):
        rater = 0
        for category, count in enumerate(counts):
            for _ in range(count):
                t.append(subject), w.append(rater), lab.append(category)
                rater += 1
    assert fleiss_kappa(Answers.of(t, w, lab, 10, 14, 5)) == pytest.approx(0.2099, abs=1e-4)


def test_fleiss_kappa_is_undefined_when_tasks_have_different_numbers_of_answers():
    assert fleiss_kappa(Answers.of([0, 0, 1], [0, 1, 0], [0, 0, 1], 2, 2, 2)) is None
