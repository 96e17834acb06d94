"""The published Swarms client (``swarms-sdk`` 0.13), unmodified, against a live server that mounts the
platform under a path prefix (``/prefix/``, as a proxy passing ``SCRIPT_NAME`` does)."""

from decimal import Decimal

import pytest

from accounts.models import Wallet
from tests.components.conftest import png_bytes
from tests.prefixed_server import serve_under_prefix

from .conftest import do_job

sdk = pytest.importorskip("swarms.sdk", reason="needs swarms-sdk (the test extra)")


@pytest.fixture
def live_prefixed(transactional_db):
    with serve_under_prefix() as base_url:
        yield f"{base_url}/swarms/"
    # The SDK keeps the token in a class attribute shared by every client of the process.
    sdk.Client.headers.pop("X-Auth-Token", None)


def test_the_swarms_sdk_runs_a_campaign_end_to_end(live_prefixed, requester, worker, tmp_path):
    client = sdk.Client(live_prefixed, requester.email, "correct-horse")
    assert "accessToken" in sdk.Auth(client).authenticate()
    picture = tmp_path / "cat.png"
    picture.write_bytes(png_bytes())
    tasks, jobs, campaigns = sdk.Tasks(client), sdk.Jobs(client), sdk.Campaigns(client)
    # the SDK uploads the component's local file and puts the URL the server answered in its place
    task = tasks.create(
        {
            "name": "Is there a cat?",
            "components": [
                {"type": "Image", "url": str(picture)},
                {"type": "BinaryChoice", "option1": "Yes", "option2": "No"},
            ],
        }
    )
    # (the uploaded file's URL carries the path prefix the platform is mounted under)
    assert task["components"][0]["url"].startswith("/prefix/api/v1/media/")
    for n in range(11):
        tasks.create({"name": f"filler {n}", "components": [{"type": "Text", "text": "hello"}]})
    # get_all follows the next links over two pages
    assert len(tasks.get_all()) == 12
    assert tasks.get(task["id"])["name"] == "Is there a cat?"
    job = jobs.create({"name": "Cats"})
    jobs.update_tasks(job, [task])
    assert [t["id"] for t in jobs.get_all_tasks(job)] == [task["id"]]
    campaign = campaigns.create(
        {
            "name": "Cats",
            "title": "Find cats",
            "estDuration": "30 seconds",
            "workerPayment": 0.1,
            "results": 1,
        }
    )
    campaigns.add_jobs(campaign, [job])
    # update sends the fetched object back to its self link
    fetched = campaigns.get(campaign["id"])
    fetched["title"] = "Find all cats"
    assert campaigns.update(fetched)["title"] == "Find all cats"
    published = campaigns.publish(fetched)
    assert published["state"] == "active"

    do_job(published["id"], worker)
    [result] = campaigns.get_all_results(published)
    assert result["state"] == "InReview"
    assert sdk.Results(client).approve(result)["state"] == "Approved"
    assert Wallet.objects.get(user=worker).available == Decimal("0.10")
    # copy, then delete the unpublished copy; pause and cancel the published campaign
    copy = campaigns.copy(published)
    assert copy["state"] == "unpublished"
    assert campaigns.delete(copy) == {}
    assert campaigns.pause(published)["state"] == "paused"
    assert campaigns.cancel(campaigns.get(published["id"]))["state"] == "cancelled"
    # an action the state does not allow has no link: the SDK says so before calling
    with pytest.raises(sdk.utils.exceptions.HalLinkNotFound):
        campaigns.publish(campaigns.get(published["id"]))
