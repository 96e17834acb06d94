"""Task (screen) and job routes of seed 004, the tasks of a job, Markdown preview and upload."""

import orjson

from compat.swarms.sizes import size_text
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


def test_sizes_count_the_uploaded_files_shown_and_estimate_what_a_worker_records(api):
    # given an uploaded picture, and a task that shows it and asks for 10 s of sound and a drawing
    from django.core.files.uploadedfile import SimpleUploadedFile

    picture = png_bytes(width=300, height=200)
    url = api.call("post", "/upload", raw={"file": SimpleUploadedFile("p.png", picture, "image/png")}).json()
    components = [
        {"type": "Image", "url": url},
        {"type": "AudioRecording", "maxDurationInSeconds": 10},
        {"type": "ImageMarker", "url": url},
    ]
    task = api.post("/tasks", {"name": "Listen and draw", "components": components}).json()
    # then its resources are its definition and the picture, and a worker uploads about 10 s of sound at
    # 128 kbit/s and one drawing
    stored = Screen.objects.get(pk=task["id"]).components
    resources = len(orjson.dumps(stored)) + len(picture)
    assert task["resourcesSize"] == size_text(resources) != "0B"
    assert task["estimatedUploadSize"] == size_text(10 * 16_000 + 100_000) == "253.9KB"
    # when a job shows the task twice and a text-only task once
    text = api.post("/tasks", TASK).json()
    job = api.post("/jobs", {"name": "Twice"}).json()
    api.put(f"/jobs/{job['id']}/tasks", [task["id"], text["id"], task["id"]])
    # then the job's resources count each task once, and its upload each time the task is shown
    fetched = api.get(f"/jobs/{job['id']}").json()
    text_bytes = len(orjson.dumps(Screen.objects.get(pk=text["id"]).components))
    assert fetched["resourcesSize"] == size_text(resources + text_bytes)
    assert fetched["estimatedUploadSize"] == size_text(2 * (10 * 16_000 + 100_000))
    # and a page of tasks, or of jobs, reads the sizes of all its objects at once
    tasks_of_two, jobs_of_one = _queries_of(api, "/tasks"), _queries_of(api, "/jobs")
    for n in range(5):
        more = api.post("/tasks", {**TASK, "name": f"more {n}"}).json()
        api.put(f"/jobs/{api.post('/jobs', {'name': f'job {n}'}).json()['id']}/tasks", [more["id"]])
    assert (_queries_of(api, "/tasks"), _queries_of(api, "/jobs")) == (tasks_of_two, jobs_of_one)


def _queries_of(api, href) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        api.get(href)
    return len(captured.captured_queries)


def test_the_size_of_nothing_and_of_much():
    assert [size_text(n) for n in (0, 1023, 1024, 1536, 3 * 1024**2, 5 * 1024**3 // 2)] == [
        "0B",
        "1023B",
        "1KB",
        "1.5KB",
        "3MB",
        "2.5GB",
    ]
