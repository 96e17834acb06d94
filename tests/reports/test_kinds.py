"""Each report kind, run on a campaign with known true answers, writes what it promises."""

import csv
import io

import pytest
from django.core.files.storage import default_storage

from reports.models import Report, ReportVersion
from reports.services import report_create, report_run_queue
from results.models import Assignment

from .conftest import synthetic_campaign

pytestmark = pytest.mark.django_db
EVERY_ANSWER = ["submitted", "approved", "rejected"]


@pytest.fixture
def run_kind(django_capture_on_commit_callbacks):
    def run(kind, campaign, **params) -> ReportVersion:
        owner = campaign.project.owner
        report = report_create(
            user=owner, name=f"{kind}-{campaign.pk}", kind=kind, scope="campaign", scope_id=campaign.pk
        )
        with django_capture_on_commit_callbacks(execute=True):
            queued = report_run_queue(user=owner, report=report, params=params)
        queued.refresh_from_db()
        assert queued.status == "success", queued.output
        return queued.version

    return run


def read(version, role, name) -> bytes:
    item = version.files.get(role=role, name=name)
    with default_storage.open(item.file.name, "rb") as handle:
        return handle.read()


def table(version, name) -> list[dict]:
    return list(csv.DictReader(io.StringIO(read(version, "artefact", name).decode())))


@pytest.mark.parametrize("method", ["majority_vote", "dawid_skene", "glad"])
def test_aggregate_gives_one_answer_per_task_mostly_the_true_one(run_kind, method):
    # given a campaign whose true answers are known
    campaign, truth, _ = synthetic_campaign()

    # when the aggregate report runs
    version = run_kind("aggregate", campaign, method=method, fields=["label"])

    # then each task has one answer with a confidence, and most are right
    rows = table(version, "aggregate.csv")
    assert len(rows) == len(truth) and {r["field"] for r in rows} == {"label"}
    right = sum(r["answer"] == truth[int(r["task_id"])] for r in rows)
    assert right / len(rows) > 0.8
    assert all(0 < float(r["confidence"]) <= 1 and r["method"] == method for r in rows)
    assert read(version, "data", "aggregate") == read(version, "artefact", "aggregate.csv")


def test_dawid_skene_is_right_more_often_than_the_vote_on_the_same_campaign(run_kind):
    campaign, truth, _ = synthetic_campaign(tasks=200, workers=10, per_task=3, seed=21)
    scores = {}
    for method in ("majority_vote", "dawid_skene"):
        version = run_kind("aggregate", campaign, method=method, fields=["label"], states=EVERY_ANSWER)
        rows = table(version, "aggregate.csv")
        scores[method] = sum(r["answer"] == truth[int(r["task_id"])] for r in rows)
        Report.objects.all().delete()
    assert scores["dawid_skene"] > scores["majority_vote"]


def test_free_text_is_passed_through_not_voted_on(run_kind):
    campaign, truth, _ = synthetic_campaign(tasks=20)
    rows = [r for r in table(run_kind("aggregate", campaign), "aggregate.csv") if r["field"] == "comment"]
    assert len(rows) == 20 and {r["method"] for r in rows} == {"passthrough"}
    assert all(r["answer"].startswith("['note ") for r in rows)


def test_agreement_reports_alpha_and_kappa_per_field_and_each_workers_agreement(run_kind):
    campaign, _, people = synthetic_campaign()
    version = run_kind("agreement", campaign, fields=["label"], states=EVERY_ANSWER)
    (row,) = table(version, "agreement.csv")
    assert row["field"] == "label" and 0 < float(row["krippendorff_alpha"]) < 1
    assert row["fleiss_kappa"] != ""  # every task has five answers
    workers = table(version, "worker_agreement.csv")
    by_name = {w["worker"]: float(w["agreement_with_aggregate"]) for w in workers}
    # the best worker agrees with the aggregate more than the worst
    assert by_name[people[0].username] > by_name[people[-1].username]


def test_workers_report_counts_rates_gold_accuracy_and_draws_three_plots(run_kind):
    campaign, _, people = synthetic_campaign(gold_every=3)
    version = run_kind("workers", campaign, gold_field="gold", answer_field="label", fields=["label"])
    rows = {r["worker"]: r for r in table(version, "workers.csv")}
    best, worst = rows[people[0].username], rows[people[-1].username]
    assert int(best["results"]) > 0 and float(best["gold_accuracy"]) > float(worst["gold_accuracy"])
    assert float(best["approval_rate"]) > float(worst["approval_rate"])
    assert float(best["median_seconds_per_result"]) == 30.0
    for name in ("time_per_result.png", "accuracy_vs_volume.png", "results_over_time.png"):
        assert read(version, "artefact", name).startswith(b"\x89PNG\r\n\x1a\n")


def test_progress_counts_results_per_day_with_a_chart(run_kind):
    campaign, truth, _ = synthetic_campaign(tasks=30)
    version = run_kind("progress", campaign, interval="day")
    rows = table(version, "progress.csv")
    assert sum(int(r["submitted"]) for r in rows) == 30 * 5
    approved = sum(int(r["approved"]) for r in rows)
    rejected = sum(int(r["rejected"]) for r in rows)
    assert approved == Assignment.objects.filter(campaign=campaign, state="approved").count() > 0
    assert rejected == Assignment.objects.filter(campaign=campaign, state="rejected").count() > 0
    assert read(version, "artefact", "progress.png").startswith(b"\x89PNG")


@pytest.mark.django_db(transaction=True)  # the CSV export reads through a connection of its own
def test_results_report_holds_the_native_exports(run_kind):
    campaign, truth, _ = synthetic_campaign(tasks=5)
    version = run_kind("results", campaign)
    rows = table(version, "results.csv")
    exported = Assignment.objects.filter(campaign=campaign).exclude(state="accepted").count()
    assert len(rows) == exported == 25 and "answer.label" in rows[0]
    assert read(version, "artefact", "results.jsonl").count(b"\n") == 25
