"""Engine objects as Swarms shows them (camelCase, integer ids, the seed's timestamps and durations)."""

from campaigns.models import CampaignState
from results.models import AssignmentState

from .durations import format_duration
from .links import campaign_links, job_links, result_links, task_links
from .sizes import attach_job_sizes, attach_task_sizes, size_text
from .wire import date_minutes, timestamp

# Engine assignment states -> the seed's result states (InReview, Approved, Rejected) and soft-rejected.
RESULT_STATES = {
    AssignmentState.SUBMITTED: "InReview",
    AssignmentState.APPROVED: "Approved",
    AssignmentState.REJECTED: "Rejected",
    AssignmentState.SOFT_REJECTED: "SoftRejected",
}
STATE_FILTERS = {name: state for state, name in RESULT_STATES.items()}


def _with_links(data: dict, hal: bool, links) -> dict:
    if hal:
        data["_links"] = links()
    return data


def _sizes(obj, attach) -> dict:
    """A list attaches the sizes of its whole page first (``compat.swarms.sizes``); one object, here."""
    if not hasattr(obj, "swarms_sizes"):
        attach([obj])
    resources, upload = obj.swarms_sizes
    return {"resourcesSize": size_text(resources), "estimatedUploadSize": size_text(upload)}


def task_out(screen, hal: bool = False) -> dict:
    return _with_links(
        {
            "name": screen.name,
            "components": screen.components,
            "properties": screen.properties,
            **_sizes(screen, attach_task_sizes),
            "id": screen.pk,
            "readOnly": bool(getattr(screen, "is_read_only", False)),
            "lastModifiedAt": timestamp(screen.updated_at),
            "createdAt": timestamp(screen.created_at),
            "archived": screen.archived,
        },
        hal,
        lambda: task_links(screen),
    )


def job_out(job, hal: bool = False) -> dict:
    return _with_links(
        {
            "name": job.name,
            "description": job.description,
            "properties": job.properties,
            **_sizes(job, attach_job_sizes),
            "id": job.pk,
            "readOnly": bool(getattr(job, "is_read_only", False)),
            "lastModifiedAt": timestamp(job.updated_at),
            "createdAt": timestamp(job.created_at),
            "archived": job.archived,
        },
        hal,
        lambda: job_links(job),
    )


def _worker_group(campaign) -> int | None:
    groups = getattr(campaign, "swarms_groups", None)
    if groups is None:
        groups = [g.pk for g in campaign.worker_groups.all()]
    return groups[0] if len(groups) == 1 else None


def campaign_out(campaign, hal: bool = False) -> dict:
    text = getattr(campaign, "swarms_text", None)
    archived = campaign.state == CampaignState.ARCHIVED
    return _with_links(
        {
            "name": campaign.name,
            "title": campaign.title,
            "description": campaign.description,
            "terms": campaign.terms,
            "estDuration": format_duration(campaign.est_duration_s),
            "workerPayment": float(campaign.payment_per_result),
            "results": campaign.results_per_task,
            "maxResultsPerWorker": campaign.max_results_per_worker,
            "workerGroup": _worker_group(campaign),
            "maxWorkTime": format_duration(campaign.time_allowed_s),
            "maxUploadTime": format_duration(text.max_upload_time_s) if text else None,
            "maxReviewTime": format_duration(campaign.review_window_s),
            "training": campaign.training,
            "startDate": date_minutes(campaign.start_at),
            "endDate": date_minutes(campaign.end_at),
            "properties": text.properties if text else {},
            "state": (campaign.archived_from or CampaignState.FINISHED) if archived else campaign.state,
            "id": campaign.pk,
            "readOnly": campaign.state != CampaignState.UNPUBLISHED,
            "lastModifiedAt": timestamp(campaign.updated_at),
            "createdAt": timestamp(campaign.created_at),
            "archived": archived,
        },
        hal,
        lambda: campaign_links(campaign),
    )


def result_out(assignment, task_results: list, hal: bool = False) -> dict:
    return _with_links(
        {
            "worker": assignment.worker_id,
            "job": assignment.task.job_id,
            "startedAt": timestamp(assignment.accepted_at),
            "completedAt": timestamp(assignment.submitted_at),
            "state": RESULT_STATES.get(assignment.state, assignment.state),
            "taskResults": task_results,
            "id": assignment.pk,
            "assignmentId": assignment.pk,
        },
        hal,
        lambda: result_links(assignment),
    )


def worker_out(worker) -> dict:
    from results.review_selectors import standing

    row = standing(worker)
    out = {"id": row["id"], "reputation": row["reputation"], "experience": row["experience"]}
    if "results" in row:
        counts = row["results"]
        out["results"] = {
            "inReview": counts["in_review"],
            "approved": counts["approved"],
            "rejected": counts["rejected"],
        }
    return out
