"""HAL ``_links``: hrefs relative to the mount (``/campaigns/1``), so that ``base_url + href`` works behind
any path prefix, and action links only for the actions the engine allows in the object's current state."""

from campaigns.lifecycle import allowed_actions
from results.lifecycle import TRANSITIONS

# Swarms' campaign actions, each the engine lifecycle action of the same name.
CAMPAIGN_ACTIONS = ("publish", "pause", "continue", "cancel")


def _href(path: str) -> dict:
    return {"href": path}


def task_links(screen) -> dict:
    base = f"/tasks/{screen.pk}"
    links = {"self": _href(base), "copy": _href(f"{base}/copy")}
    links["unarchive" if screen.archived else "archive"] = _href(
        f"{base}/{'unarchive' if screen.archived else 'archive'}"
    )
    return links


def job_links(job) -> dict:
    base = f"/jobs/{job.pk}"
    links = {"self": _href(base), "copy": _href(f"{base}/copy"), "tasks": _href(f"{base}/tasks")}
    links["unarchive" if job.archived else "archive"] = _href(
        f"{base}/{'unarchive' if job.archived else 'archive'}"
    )
    return links


def campaign_links(campaign) -> dict:
    base = f"/campaigns/{campaign.pk}"
    links = {
        "self": _href(base),
        "copy": _href(f"{base}/copy"),
        "jobs": _href(f"{base}/jobs"),
        "results": _href(f"{base}/results"),
        "workers": _href(f"{base}/workers"),
    }
    allowed = allowed_actions(campaign.state)
    for action in CAMPAIGN_ACTIONS:
        # Swarms cancels "a published campaign": an unpublished one is deleted instead.
        if action == "cancel" and campaign.published_at is None:
            continue
        if action in allowed:
            links[action] = _href(f"{base}/{action}")
    for action in ("archive", "unarchive"):
        if action in allowed:
            links[action] = _href(f"{base}/{action}")
    return links


def result_links(assignment) -> dict:
    base = f"/results/{assignment.pk}"
    links = {
        "self": _href(base),
        "campaign": _href(f"/campaigns/{assignment.campaign_id}"),
        "worker": _href(f"/campaigns/{assignment.campaign_id}/workers/{assignment.worker_id}/results"),
    }
    # The review actions are offered in the states the lifecycle lets a reviewer decide from.
    if assignment.state in TRANSITIONS["reject"].sources:
        links.update(
            approve=_href(f"{base}/approve"),
            reject=_href(f"{base}/reject"),
            softReject=_href(f"{base}/soft-reject"),
        )
    return links


def worker_links(campaign_id: int, worker_id: int) -> dict:
    base = f"/campaigns/{campaign_id}/workers/{worker_id}"
    return {"results": _href(f"{base}/results"), "approveAll": _href(f"{base}/approve-all")}
