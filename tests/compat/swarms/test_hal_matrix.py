"""HAL links: for each campaign state and each result state exactly the allowed actions, each one working."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import Campaign
from campaigns.services import campaign_finish

from .conftest import do_job

ALWAYS = {"self", "copy", "jobs", "results", "workers"}
CAMPAIGN_ACTIONS = {
    "unpublished": {"publish", "archive"},
    "active": {"pause", "cancel"},
    "paused": {"continue", "cancel"},
    "finished": {"archive"},
    "cancelled": {"archive"},
    "archived": {"unarchive"},
}
RESULT_ACTIONS = {
    "InReview": {"approve", "reject", "softReject"},
    "Approved": set(),
    "Rejected": set(),
    "SoftRejected": set(),
}
ACTION_STATE = {
    "publish": "active",
    "pause": "paused",
    "continue": "active",
    "cancel": "cancelled",
    "archive": None,
    "unarchive": None,
}


def _campaign_in(api, make_campaign, state: str) -> int:
    pk = make_campaign(publish=state != "unpublished")
    if state == "paused":
        api.post(f"/campaigns/{pk}/pause")
    elif state == "finished":
        campaign_finish(campaign=Campaign.objects.get(pk=pk))
    elif state in {"cancelled", "archived"}:
        api.post(f"/campaigns/{pk}/cancel")
        if state == "archived":
            api.post(f"/campaigns/{pk}/archive")
    return pk


@pytest.mark.parametrize("state", list(CAMPAIGN_ACTIONS))
def test_campaign_links_are_exactly_the_allowed_actions_and_each_works(api, make_campaign, state):
    pk = _campaign_in(api, make_campaign, state)
    body = api.get(f"/campaigns/{pk}").json()
    assert body["archived"] == (state == "archived")
    assert body["state"] == ("cancelled" if state == "archived" else state)
    links = body["_links"]
    assert set(links) == ALWAYS | CAMPAIGN_ACTIONS[state]
    assert all(link["href"].startswith(f"/campaigns/{pk}") for link in links.values())
    for name in ALWAYS - {"self", "copy"}:
        assert api.get(links[name]["href"]).status_code == 200, name
    for action in sorted(CAMPAIGN_ACTIONS[state]):
        # each action on a campaign of its own in that state, sent as Swarms clients send it (body null)
        fresh = api.get(f"/campaigns/{_campaign_in(api, make_campaign, state)}").json()
        response = api.post(fresh["_links"][action]["href"])
        assert response.status_code == 200, (action, response.content)
        if ACTION_STATE[action]:
            assert response.json()["state"] == ACTION_STATE[action]
        else:
            assert response.json()["archived"] == (action == "archive")
    assert api.post(links["copy"]["href"]).status_code == 201


def _result_in(api, make_campaign, worker, state: str) -> int:
    pk = make_campaign()
    result = do_job(pk, worker)
    until = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    bodies = {
        "Approved": ("approve", None),
        "Rejected": ("reject", {"reason": "no"}),
        "SoftRejected": ("soft-reject", {"reason": "redo", "until": until}),
    }
    if state in bodies:
        action, body = bodies[state]
        assert api.post(f"/results/{result.pk}/{action}", body).status_code == 200
    return result.pk


@pytest.mark.parametrize("state", list(RESULT_ACTIONS))
def test_result_links_are_exactly_the_allowed_actions_and_each_works(api, make_campaign, worker, state):
    from tests.factories import UserFactory

    pk = _result_in(api, make_campaign, worker, state)
    body = api.get(f"/results/{pk}").json()
    assert body["state"] == state
    assert set(body["_links"]) == {"self", "campaign", "worker"} | RESULT_ACTIONS[state]
    # the same links in the list
    campaign_id = int(body["_links"]["campaign"]["href"].rsplit("/", 1)[1])
    [listed] = api.get(f"/campaigns/{campaign_id}/results").json()["results"]
    assert listed["_links"] == body["_links"]
    until = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    expected = {
        "approve": ("Approved", None),
        "reject": ("Rejected", {"reason": "no"}),
        "softReject": ("SoftRejected", {"reason": "r", "until": until}),
    }
    for action in sorted(RESULT_ACTIONS[state]):
        fresh = api.get(f"/results/{_result_in(api, make_campaign, UserFactory(), state)}").json()
        response = api.post(fresh["_links"][action]["href"], expected[action][1])
        assert response.status_code == 200, (action, response.content)
        assert response.json()["state"] == expected[action][0]
