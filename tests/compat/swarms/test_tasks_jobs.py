"""Task (screen) and job routes of seed 004, the tasks of a job, Markdown preview and upload."""

from projects.models import Job, Screen
from tests.components.conftest import png_bytes

from .conftest import TASK, swarms_error

SEED_TASK_KEYS = {
    "name",
    "components",
    "properties",
    "resourcesSize",
    "estimatedUploadSize",
    "id",
    "readOnly",
    "lastModifiedAt",
    "createdAt",
    "archived",
}
SEED_JOB_KEYS = {
    "name",
    "description",
    "properties",
    "resourcesSize",
    "estimatedUploadSize",
    "id",
    "readOnly",
    "lastModifiedAt",
    "createdAt",
    "archived",
}


def test_task_crud_copy_archive_unarchive(api):
    created = api.post("/tasks", TASK)
    assert created.status_code == 201, created.content
    task = created.json()
    assert SEED_TASK_KEYS <= set(task)
    assert (task["name"], task["components"], task["properties"]) == (
        TASK["name"],
        TASK["components"],
        TASK["properties"],
    )
    pk = task["id"]
    assert api.get(f"/tasks/{pk}").json()["id"] == pk
    assert [t["id"] for t in api.get("/tasks").json()["tasks"]] == [pk]
    updated = api.put(f"/tasks/{pk}", {"name": "Renamed", "components": TASK["components"][:1]})
    assert updated.json()["name"] == "Renamed" and len(updated.json()["components"]) == 1
    copy = api.post(f"/tasks/{pk}/copy")
    assert (
        copy.status_code == 201
        and copy.json()["id"] != pk
        and copy.json()["components"] == updated.json()["components"]
    )
    assert api.post(f"/tasks/{pk}/archive").json()["archived"] is True
    assert api.post(f"/tasks/{pk}/unarchive").json()["archived"] is False
    assert api.delete(f"/tasks/{copy.json()['id']}").status_code == 204
    assert not Screen.objects.filter(pk=copy.json()["id"]).exists()


def test_job_crud_copy_deep_archive_and_its_tasks(api):
    tasks = [api.post("/tasks", {**TASK, "name": f"t{n}"}).json()["id"] for n in range(3)]
    created = api.post(
        "/jobs", {"name": "My first Job", "description": "this job differs", "properties": {"k": "v"}}
    )
    assert created.status_code == 201
    job = created.json()
    assert SEED_JOB_KEYS <= set(job)
    pk = job["id"]
    assert [t["id"] for t in api.put(f"/jobs/{pk}/tasks", tasks[:2]).json()["tasks"]] == tasks[:2]
    assert [t["id"] for t in api.post(f"/jobs/{pk}/tasks", [tasks[2]]).json()["tasks"]] == tasks
    assert [t["id"] for t in api.get(f"/jobs/{pk}/tasks").json()["tasks"]] == tasks
    assert api.put(f"/jobs/{pk}", {"name": "Renamed"}).json()["name"] == "Renamed"
    assert api.get(f"/jobs/{pk}").json()["description"] == "this job differs"
    assert [j["id"] for j in api.get("/jobs").json()["jobs"]] == [pk]
    shallow = api.post(f"/jobs/{pk}/copy?deep=false").json()
    assert [t["id"] for t in api.get(f"/jobs/{shallow['id']}/tasks").json()["tasks"]] == tasks
    deep = api.post(f"/jobs/{pk}/copy?deep=true").json()
    assert set(t["id"] for t in api.get(f"/jobs/{deep['id']}/tasks").json()["tasks"]).isdisjoint(tasks)
    assert api.post(f"/jobs/{pk}/archive?deep=true").json()["archived"] is True
    assert Screen.objects.get(pk=tasks[0]).archived
    assert api.post(f"/jobs/{pk}/unarchive").json()["archived"] is False
    assert not Screen.objects.get(pk=tasks[0]).archived
    assert api.delete(f"/jobs/{deep['id']}").status_code == 204
    assert not Job.objects.filter(pk=deep["id"]).exists()


def test_published_tasks_and_jobs_are_read_only(api, make_campaign):
    pk = make_campaign()
    [job] = api.get(f"/campaigns/{pk}/jobs").json()["jobs"]
    [task] = api.get(f"/jobs/{job['id']}/tasks").json()["tasks"]
    assert job["readOnly"] is True and task["readOnly"] is True
    assert (
        swarms_error(api.put(f"/tasks/{task['id']}", {"name": "changed"}), 409, 1301)["error"] == "read-only"
    )
    assert Screen.objects.get(pk=task["id"]).name == TASK["name"]


def test_markdown_preview(api):
    response = api.post("/preview/markdown", {"text": "# Hi\n<script>x</script>"})
    assert response.status_code == 200
    assert "<h1>Hi</h1>" in response.json()["html"] and "<script>" not in response.json()["html"]


def test_upload_answers_the_url_as_a_bare_json_string_usable_in_a_component(api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api.call(
        "post", "/upload", raw={"file": SimpleUploadedFile("cat.png", png_bytes(), "image/png")}
    )
    assert response.status_code == 201, response.content
    url = response.json()
    assert isinstance(url, str) and url.startswith("/")
    task = api.post("/tasks", {"name": "Look", "components": [{"type": "Image", "url": url}]})
    assert task.status_code == 201 and task.json()["components"][0]["url"] == url
    swarms_error(api.call("post", "/upload", raw={"other": "x"}), 400, 1100)
    # a file is judged by its bytes
    text = SimpleUploadedFile("cat.png", b"just text", "image/png")
    assert (
        swarms_error(api.call("post", "/upload", raw={"file": text}), 400, 1100)["error"]
        == "unsupported-media-type"
    )
