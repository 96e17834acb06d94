"""Bad input on Turkle's API: 4xx in Turkle's shapes, and download headers nobody can forge."""

from email.message import Message

import pytest
from django.contrib.auth.models import Group

from campaigns.models import Campaign

from .conftest import example
from .test_batches import create_batch

pytestmark = pytest.mark.django_db


def _disposition(response) -> dict:
    message = Message()
    message["Content-Disposition"] = response["Content-Disposition"]
    return dict(message.get_params(header="Content-Disposition")[1:])


@pytest.mark.parametrize("filename", ["bad\nname.csv", "bad\rname.csv", "tab\there.csv", "nul\x00.csv"])
def test_a_batch_filename_with_control_characters_is_refused(owner_client, project, filename):
    # when a batch is created under a file name with a control character
    response = create_batch(owner_client, project, filename=filename)
    # then it is a field error and no batch exists
    assert response.status_code == 400
    assert "filename" in response.json()
    assert Campaign.objects.count() == 0


def test_quotes_in_a_filename_cannot_add_parameters_to_the_download_header(owner_client, project):
    forged = "x.csv\"; filename*=UTF-8''evil.sh; x=\""
    batch = create_batch(owner_client, project, filename=forged).json()
    for suffix in ("input", "results"):
        response = owner_client.get(f"/api/batches/{batch['id']}/{suffix}/")
        assert response.status_code == 200
        params = _disposition(response)
        assert set(params) == {"filename"}
    # the input CSV is served under the name it was uploaded with
    assert _disposition(owner_client.get(f"/api/batches/{batch['id']}/input/")) == {"filename": forged}


def test_a_stored_filename_with_a_line_break_is_still_served(owner_client, project):
    # given a name stored before names were checked (or through another door)
    batch = create_batch(owner_client, project).json()
    Campaign.objects.filter(pk=batch["id"]).update(filename="two\nlines.csv")
    for suffix in ("input", "results"):
        # when it is downloaded
        response = owner_client.get(f"/api/batches/{batch['id']}/{suffix}/")
        # then the header spells the name as RFC 6266's filename*, instead of a 500
        assert response.status_code == 200
        assert "filename*=utf-8''" in response["Content-Disposition"]
        assert "\n" not in response["Content-Disposition"]


def test_non_ascii_filenames_use_filename_star(owner_client, project):
    batch = create_batch(owner_client, project, filename="Vögel.csv").json()
    response = owner_client.get(f"/api/batches/{batch['id']}/input/")
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''V%C3%B6gel.csv"


def test_a_header_only_csv_makes_no_batch(owner_client, project):
    header_only = example("image_contains.csv").splitlines()[0] + "\n"
    response = create_batch(owner_client, project, csv_text=header_only)
    assert response.status_code == 400
    assert response.json() == {
        "csv_text": ["There are no tasks to add: the CSV has no records after its header."]
    }
    assert Campaign.objects.count() == 0


@pytest.mark.parametrize("url", ["/api/users/username/a%00b/", "/api/groups/name/a%00b/"])
def test_a_nul_in_a_name_lookup_is_a_json_404(staff_client, url):
    Group.objects.create(name="ab")
    response = staff_client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_a_name_lookup_still_finds_names_with_dots_and_spaces(staff_client):
    Group.objects.create(name="night shift.2")
    response = staff_client.get("/api/groups/name/night%20shift.2/")
    assert response.status_code == 200
    assert [g["name"] for g in response.json()["results"]] == ["night shift.2"]
