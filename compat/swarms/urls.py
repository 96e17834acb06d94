"""The Swarms API (seed 004), mounted at /swarms/, with its own OpenAPI schema and docs page.

Ids are matched as any path segment and checked by the views, so a non-integer id is a Swarms 400, not
a 404 page. A trailing slash is optional everywhere.
"""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny

from . import views as v

ID = r"(?P<pk>[^/]+)"
CID = r"(?P<campaign_id>[^/]+)"
WID = r"(?P<worker_id>[^/]+)"


def route(pattern: str, view, name: str, slash: str = "/?"):
    return re_path(rf"^{pattern}{slash}$", view, name=name)


def _routes(slash: str = "/?") -> list:
    return [
        route("auth/token/request", v.TokenRequestView.as_view(), "swarms-token-request", slash),
        route("auth/token/discard", v.TokenDiscardView.as_view(), "swarms-token-discard", slash),
        route("me", v.MeView.as_view(), "swarms-me", slash),
        route("tasks", v.TaskListView.as_view(), "swarms-tasks", slash),
        route(f"tasks/{ID}", v.TaskDetailView.as_view(), "swarms-task", slash),
        *[
            route(
                f"tasks/{ID}/{action}",
                v.TaskActionView.as_view(action=action),
                f"swarms-task-{action}",
                slash,
            )
            for action in ("copy", "archive", "unarchive")
        ],
        route("jobs", v.JobListView.as_view(), "swarms-jobs", slash),
        route(f"jobs/{ID}", v.JobDetailView.as_view(), "swarms-job", slash),
        route(f"jobs/{ID}/tasks", v.JobTasksView.as_view(), "swarms-job-tasks", slash),
        *[
            route(
                f"jobs/{ID}/{action}", v.JobActionView.as_view(action=action), f"swarms-job-{action}", slash
            )
            for action in ("copy", "archive", "unarchive")
        ],
        route("campaigns", v.CampaignListView.as_view(), "swarms-campaigns", slash),
        route(f"campaigns/{ID}", v.CampaignDetailView.as_view(), "swarms-campaign", slash),
        route(f"campaigns/{ID}/jobs", v.CampaignJobsView.as_view(), "swarms-campaign-jobs", slash),
        route(f"campaigns/{ID}/results", v.CampaignResultsView.as_view(), "swarms-campaign-results", slash),
        route(
            f"campaigns/{CID}/results/approve-all",
            v.ApproveAllView.as_view(),
            "swarms-campaign-approve-all",
            slash,
        ),
        route(f"campaigns/{ID}/workers", v.CampaignWorkersView.as_view(), "swarms-campaign-workers", slash),
        route(
            f"campaigns/{CID}/workers/{WID}/results",
            v.WorkerResultsView.as_view(),
            "swarms-worker-results",
            slash,
        ),
        route(
            f"campaigns/{CID}/workers/{WID}/approve-all",
            v.ApproveAllView.as_view(),
            "swarms-worker-approve-all",
            slash,
        ),
        *[
            route(
                f"campaigns/{ID}/{action}",
                v.CampaignActionView.as_view(action=action),
                f"swarms-campaign-{action}",
                slash,
            )
            for action in ("copy", "archive", "unarchive", "publish", "pause", "continue", "cancel")
        ],
        route(f"results/{ID}", v.ResultDetailView.as_view(), "swarms-result", slash),
        *[
            route(
                f"results/{ID}/{action}",
                v.ResultActionView.as_view(action=action),
                f"swarms-result-{action}",
                slash,
            )
            for action in ("approve", "reject", "soft-reject")
        ],
        route("preview/markdown", v.MarkdownPreviewView.as_view(), "swarms-preview-markdown", slash),
        route("upload", v.UploadView.as_view(), "swarms-upload", slash),
    ]


swarms_patterns = _routes()

# The schema names the routes as the seed does: no trailing slash, relative to the server /swarms.
schema_view = SpectacularAPIView.as_view(
    urlconf=[path("swarms/", include(_routes(slash="")))],
    authentication_classes=[],
    permission_classes=[AllowAny],
    custom_settings={
        "TITLE": "Crowdplatform — Swarms-compatible API",
        "DESCRIPTION": (
            "The Swarms API (seed 004) on the Crowdplatform engine. Authenticate with X-Auth-Token; errors are "
            '{"code", "message", "description"} (codes in docs/swarms.md); Accept: application/hal+json adds '
            "_links relative to the mount."
        ),
        "VERSION": "1.0",
        "SCHEMA_PATH_PREFIX": r"/swarms",
        "SCHEMA_PATH_PREFIX_TRIM": True,
        "SERVERS": [{"url": "/swarms", "description": "The mount; a client's base_url ends here."}],
        "POSTPROCESSING_HOOKS": [
            "drf_spectacular.hooks.postprocess_schema_enums",
            "compat.swarms.schema.swarms_conventions",
        ],
        "PREPROCESSING_HOOKS": [],
    },
)

urlpatterns = [
    re_path(r"^schema/?$", schema_view, name="swarms-schema"),
    re_path(r"^docs/?$", SpectacularSwaggerView.as_view(url_name="swarms-schema"), name="swarms-docs"),
    *swarms_patterns,
    re_path(r"^.*$", v.UnknownRouteView.as_view(), name="swarms-unknown"),
]
