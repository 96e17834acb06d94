"""Answer aggregation and agreement, vectorised with numpy.

Every function takes the answers of one field as three integer arrays of the same length — ``tasks``,
``workers`` and ``labels`` (codes into the caller's lists of task ids, worker ids and labels) — and the
sizes of those lists. Labels are coded in sorted order of their text, so that "the first label" breaks ties
the way crowd-kit does (its label columns are sorted too). ``tests/reports/test_aggregation.py`` holds the
results to crowd-kit's on the same answers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_EPS = np.finfo(np.float64).eps


@dataclass(frozen=True)
class Answers:
    tasks: np.ndarray
    workers: np.ndarray
    labels: np.ndarray
    n_tasks: int
    n_workers: int
    n_labels: int

    @classmethod
    def of(cls, tasks, workers, labels, n_tasks: int, n_workers: int, n_labels: int) -> Answers:
        return cls(
            np.asarray(tasks, dtype=np.int64),
            np.asarray(workers, dtype=np.int64),
            np.asarray(labels, dtype=np.int64),
            n_tasks,
            n_workers,
            n_labels,
        )


@dataclass(frozen=True)
class Aggregate:
    """Per task: the chosen label's code (-1 for a task without answers) and its probability."""

    labels: np.ndarray
    confidence: np.ndarray
    probas: np.ndarray


def _vote_counts(a: Answers) -> np.ndarray:
    flat = np.bincount(a.tasks * a.n_labels + a.labels, minlength=a.n_tasks * a.n_labels)
    return flat.reshape(a.n_tasks, a.n_labels).astype(np.float64)


def _normalised_rows(matrix: np.ndarray) -> np.ndarray:
    totals = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)


def _chosen(probas: np.ndarray) -> Aggregate:
    answered = probas.sum(axis=1) > 0
    if probas.shape[1] == 0:
        empty = np.zeros(probas.shape[0])
        return Aggregate(labels=np.full(probas.shape[0], -1), confidence=empty, probas=probas)
    labels = np.where(answered, probas.argmax(axis=1), -1)  # argmax takes the first of equals: ties → first
    confidence = np.where(answered, probas.max(axis=1, initial=0.0), 0.0)
    return Aggregate(labels=labels, confidence=confidence, probas=probas)


def majority_vote(a: Answers) -> Aggregate:
    """The most frequent label of each task; confidence is its share of the task's answers."""
    return _chosen(_normalised_rows(_vote_counts(a)))


class _DawidSkene:
    """The sums over answers that Dawid–Skene repeats each iteration, done as one ``bincount`` per label
    column: a million answers take milliseconds per step."""

    def __init__(self, a: Answers):
        self.a = a
        self.pair = a.workers * a.n_labels + a.labels  # (worker, observed label), flattened
        self.observed = np.zeros(a.n_workers * a.n_labels, dtype=bool)
        self.observed[self.pair] = True
        self.answers_per_task = np.bincount(a.tasks, minlength=a.n_tasks)
        self.answered = self.answers_per_task > 0

    def per_task(self, values: np.ndarray) -> np.ndarray:
        """Sum of each column of ``values`` (one row per answer) per task."""
        a = self.a
        return np.stack(
            [np.bincount(a.tasks, values[:, k], minlength=a.n_tasks) for k in range(a.n_labels)], 1
        )

    def errors(self, probas: np.ndarray) -> np.ndarray:
        """errors[w * L + observed, true]: how often worker w answers ``observed`` when ``true`` is right."""
        a, size = self.a, self.a.n_workers * self.a.n_labels
        given = probas[a.tasks]
        counts = np.stack([np.bincount(self.pair, given[:, k], minlength=size) for k in range(a.n_labels)], 1)
        counts = np.where(self.observed[:, None], np.maximum(counts, _EPS), 0.0)
        totals = counts.reshape(a.n_workers, a.n_labels, a.n_labels).sum(axis=1)  # per worker and true label
        totals = np.repeat(totals, a.n_labels, axis=0)
        return np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)

    def answer_logs(self, errors: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return np.log(errors)[self.pair]

    def e_step(self, priors: np.ndarray, task_logs: np.ndarray) -> np.ndarray:
        log_lik = task_logs + np.log(np.maximum(priors, _EPS))
        log_lik -= log_lik.max(axis=1, keepdims=True)
        scaled = np.exp(log_lik)
        probas = scaled / scaled.sum(axis=1, keepdims=True)
        probas[~self.answered] = 0.0
        return probas

    def elbo(self, probas: np.ndarray, priors: np.ndarray, task_logs: np.ndarray) -> float:
        """Expected joint log-likelihood plus entropy; ``task_logs`` is ``per_task(answer logs)``."""
        log_priors = np.log(np.maximum(priors, _EPS))
        joint = float(
            np.sum(probas * task_logs) + np.sum((probas * log_priors).sum(axis=1) * self.answers_per_task)
        )
        clipped = np.maximum(probas[self.answered], _EPS)
        return joint - float(np.sum(np.log(clipped) * clipped))


def dawid_skene(a: Answers, *, n_iter: int = 100, tol: float = 1e-5) -> Aggregate:
    """Dawid & Skene (1979) by expectation–maximisation, started from the majority vote, as crowd-kit's
    ``DawidSkene`` is: one confusion matrix per worker and a prior per label, the same stopping rule (the
    evidence lower bound per answer improves by less than ``tol``)."""
    if not len(a.tasks):
        return _chosen(np.zeros((a.n_tasks, a.n_labels)))
    model = _DawidSkene(a)
    probas = _normalised_rows(_vote_counts(a))
    priors = probas[model.answered].mean(axis=0)
    task_logs = model.per_task(model.answer_logs(model.errors(probas)))
    loss = -np.inf
    for _ in range(n_iter):
        probas = model.e_step(priors, task_logs)
        priors = probas[model.answered].mean(axis=0)
        task_logs = model.per_task(model.answer_logs(model.errors(probas)))
        new_loss = model.elbo(probas, priors, task_logs) / len(a.tasks)
        if new_loss - loss < tol:
            break
        loss = new_loss
    return _chosen(probas)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def glad(a: Answers, *, n_iter: int = 100, tol: float = 1e-5) -> Aggregate:
    """GLAD (Whitehill et al., 2009): each worker has an ability ``alpha``, each task a difficulty ``1/beta``;
    P(answer is right) = sigmoid(alpha * beta), label priors uniform (as crowd-kit's default). Fitted by EM
    with a few gradient steps per M-step."""
    if not len(a.tasks):
        return _chosen(np.zeros((a.n_tasks, a.n_labels)))
    answered = np.bincount(a.tasks, minlength=a.n_tasks) > 0
    k = max(a.n_labels, 2)
    alpha = np.ones(a.n_workers)
    log_beta = np.zeros(a.n_tasks)
    priors = np.full(a.n_labels, 1.0 / a.n_labels)
    onehot = np.zeros((len(a.tasks), a.n_labels))
    onehot[np.arange(len(a.tasks)), a.labels] = 1.0
    probas = _normalised_rows(_vote_counts(a))
    previous = None
    for _ in range(n_iter):
        # E-step: posterior over the true label of each task.
        right = np.clip(_sigmoid(alpha[a.workers] * np.exp(log_beta[a.tasks])), _EPS, 1 - _EPS)
        log_right, log_wrong = np.log(right), np.log((1 - right) / (k - 1))
        per_answer = onehot * log_right[:, None] + (1 - onehot) * log_wrong[:, None]
        log_post = np.zeros((a.n_tasks, a.n_labels))
        np.add.at(log_post, a.tasks, per_answer)
        log_post += np.log(np.maximum(priors, _EPS))
        log_post -= log_post.max(axis=1, keepdims=True)
        probas = np.exp(log_post)
        probas /= probas.sum(axis=1, keepdims=True)
        probas[~answered] = 0.0
        # M-step: gradient ascent on the expected log-likelihood in alpha and log(beta).
        p_right = probas[a.tasks, a.labels]
        for _ in range(5):
            beta = np.exp(log_beta[a.tasks])
            s = _sigmoid(alpha[a.workers] * beta)
            residual = p_right - s  # d/dz of E[log-lik], z = alpha * beta
            grad_alpha = np.bincount(a.workers, residual * beta, minlength=a.n_workers) - (alpha - 1)
            grad_log_beta = (
                np.bincount(a.tasks, residual * alpha[a.workers] * beta, minlength=a.n_tasks) - log_beta
            )
            alpha += 0.1 * grad_alpha / np.maximum(np.bincount(a.workers, minlength=a.n_workers), 1)
            log_beta += 0.1 * grad_log_beta / np.maximum(np.bincount(a.tasks, minlength=a.n_tasks), 1)
        if previous is not None and np.abs(probas - previous).max() < tol:
            break
        previous = probas
    return _chosen(probas)


METHODS = {"majority_vote": majority_vote, "dawid_skene": dawid_skene, "glad": glad}


def krippendorff_alpha_nominal(a: Answers) -> float | None:
    """Krippendorff's alpha for nominal labels; tasks with fewer than two answers are not pairable.
    None when there is nothing to compare (or no variation at all)."""
    counts = _vote_counts(a)
    per_task = counts.sum(axis=1)
    pairable = per_task >= 2
    counts, per_task = counts[pairable], per_task[pairable]
    if not len(counts):
        return None
    # Coincidence matrix o[c, k] = sum over tasks of n_c n_k (minus n_c on the diagonal) / (m_u - 1).
    weighted = counts / (per_task - 1)[:, None]
    coincidences = weighted.T @ counts
    coincidences[np.diag_indices_from(coincidences)] -= weighted.sum(axis=0)
    n_c = coincidences.sum(axis=0)
    n = n_c.sum()
    observed_disagreement = n - np.trace(coincidences)
    expected_disagreement = (n * n - np.sum(n_c * n_c)) / (n - 1)
    if expected_disagreement == 0:
        return None
    return float(1.0 - observed_disagreement / expected_disagreement)


def fleiss_kappa(a: Answers) -> float | None:
    """Fleiss' kappa; defined only when every answered task has the same number (≥ 2) of answers."""
    counts = _vote_counts(a)
    per_task = counts.sum(axis=1)
    counts = counts[per_task > 0]
    per_task = per_task[per_task > 0]
    if not len(counts) or per_task.min() != per_task.max() or per_task[0] < 2:
        return None
    raters = per_task[0]
    p_label = counts.sum(axis=0) / counts.sum()
    p_task = (np.sum(counts * counts, axis=1) - raters) / (raters * (raters - 1))
    p_bar, p_e = p_task.mean(), np.sum(p_label * p_label)
    if p_e == 1:
        return None
    return float((p_bar - p_e) / (1 - p_e))
