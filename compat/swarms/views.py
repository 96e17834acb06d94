"""Swarms routes (seed 004). Each view parses, calls one engine service or selector, and renders."""

import re
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import Group, User
from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import lockout
from accounts.permissions import IsRequester
from accounts.selectors import profile_get
from accounts.services import (
    LoginFailed,
    api_token_revoke,
    login_token_create,
    profile_update,
)
from campaigns import services as campaign_services
from campaigns.selectors import campaign_get_for_requester, campaign_list_for_requester
from crowdplatform.errors import NotFound
from projects import screens as screen_services
from projects import selectors as screen_selectors
from projects.markdown import render_markdown
from projects.models import JobScreen
from results import decisions, review
from results.review_selectors import assignment_get_for_review, campaign_get_for_review, worker_standing_list
from results.selectors import assignment_get_for_requester, assignment_list_for_requester
from tasks.jobs import (
    campaign_job_list,
    campaign_jobs_add,
    campaign_jobs_set,
    campaign_set_archived,
    job_task_results,
)
from tasks.media import media_upload, media_url

from . import schema as doc
from .authentication import SwarmsTokenAuthentication
from .durations import parse_duration
from .errors import SwarmsError, swarms_exception_handler
from .middleware import unsupported_version_message
from .pagination import keyset_page
from .representations import (
    STATE_FILTERS,
    campaign_out,
    job_out,
    result_out,
    task_out,
    worker_out,
)
from .services import swarms_campaign_copy, swarms_campaign_create, swarms_campaign_update
from .sizes import attach_job_sizes, attach_task_sizes
from .wire import body_dict, bool_param, money, object_id, parse_moment, timestamp

ORDER_CHOICES = {"id": "pk", "name": "name", "lastModifiedAt": "updated_at", "createdAt": "created_at"}
# Keys of a fetched object that a client may send back unchanged in a PUT.
READ_ONLY_KEYS = {
    "id",
    "readOnly",
    "lastModifiedAt",
    "createdAt",
    "archived",
    "state",
    "_links",
    "resourcesSize",
    "estimatedUploadSize",
}


class HalJSONRenderer(JSONRenderer):
    media_type = "application/hal+json"
    format = "hal"


class SwarmsView(APIView):
    authentication_classes = [SwarmsTokenAuthentication]
    permission_classes = [IsRequester]
    renderer_classes = [JSONRenderer, HalJSONRenderer]
    parser_classes = [JSONParser]

    def get_exception_handler(self):
        return swarms_exception_handler

    def perform_content_negotiation(self, request, force=False):
        # The answer's shape is chosen by Accept (JSON or HAL), as the seed says; a ``?format=`` that names
        # neither falls back to JSON rather than a 404 page.
        try:
            return super().perform_content_negotiation(request, force)
        except (Http404, exceptions.NotFound):
            return JSONRenderer(), JSONRenderer.media_type

    def initial(self, request, *args, **kwargs):
        version = getattr(request._request, "swarms_unsupported_version", None)
        if version is not None:
            request._request.swarms_version_refused = True
            raise SwarmsError(1101, unsupported_version_message(version), code="unsupported-version")
        super().initial(request, *args, **kwargs)

    @property
    def hal(self) -> bool:
        renderer = getattr(self.request, "accepted_renderer", None)
        return renderer is not None and renderer.format == "hal"


def _search(qs, request):
    words = (request.query_params.get("search") or "").split()
    for word in words:
        qs = qs.filter(name__iregex=rf"\y{re.escape(word)}\y")
    return qs


def _list(view, qs, key: str, path: str, render, order=True, prepare=list):
    """A page of ``qs``; ``prepare`` reads what the whole page needs at once (the sizes of tasks, jobs)."""
    if order:
        qs = _search(qs, view.request)
    rows, links = keyset_page(view.request, qs, path=path, order_choices=ORDER_CHOICES if order else None)
    return Response({key: [render(row, view.hal) for row in prepare(rows)], "_links": links})


def _ids(request, name: str) -> list[int]:
    data = request.data
    if isinstance(data, dict):
        data = data.get(name)
    if not isinstance(data, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in data):
        raise SwarmsError(
            1100, f"Send a JSON list of {name} ids, such as [1, 2].", code="invalid-type", field=name
        )
    return data


def _deep(request) -> bool:
    return bool(bool_param(request, "deep"))


def _text(value, field: str, *, required=False, most=None) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise SwarmsError(
            1100,
            f"{field} must be a text{' (required)' if required else ''}.",
            code="invalid-type",
            field=field,
        )
    if most and len(value) > most:
        raise SwarmsError(1100, f"{field} is at most {most} characters.", code="too-long", field=field)
    return value


def _properties(value, field="properties") -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise SwarmsError(
            1100, f"{field} is an object of text keys and text values.", code="invalid-type", field=field
        )
    return value


def _unknown(data: dict, known: set[str]) -> None:
    for key in data:
        if key not in known and key not in READ_ONLY_KEYS:
            raise SwarmsError(1100, f"Unknown field {key}.", code="unknown-field", field=key)


# --- auth and profile --------------------------------------------------------------------------------------


class TokenRequestView(SwarmsView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=doc.TokenRequest,
        responses={200: doc.Token, 400: doc.ERROR, 401: doc.ERROR, 429: doc.ERROR},
        auth=[],
    )
    def post(self, request):
        """Exchange email and password for an access token (a platform login token, stored hashed)."""
        data = body_dict(request)
        email, password = data.get("email"), data.get("password")
        if not isinstance(email, str) or not isinstance(password, str) or not email or not password:
            raise SwarmsError(
                1100, "Send email and password.", code="required", field="email" if not email else "password"
            )
        try:
            user = password_login(request, email=email, password=password)
        except LoginFailed as failed:
            raise LoginFailed("The given credentials did not match any user in our database") from failed
        token, key = login_token_create(user=user)
        return Response({"accessToken": key, "expiresAt": timestamp(token.expires_at), "userId": user.pk})


def password_login(request, *, email: str, password: str) -> User:
    """The password check of a Swarms login: the account with that email, through the platform's one
    password login (``accounts.lockout``), so that failures count and lock out as on every other login
    page (429 with Retry-After)."""
    user = User.objects.filter(email__iexact=email, is_active=True).order_by("pk").first()
    return lockout.password_login(
        request=request._request, username=user.get_username() if user else email, password=password
    )


class TokenDiscardView(SwarmsView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None, 401: doc.ERROR})
    def post(self, request):
        """End the token this request is sent with."""
        api_token_revoke(token=request.auth, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _profile(user) -> dict:
    p = profile_get(user=user)
    return {
        "firstName": p["first_name"],
        "lastName": p["last_name"],
        "phone": p["phone"],
        "organization": p["organization"],
        "website": p["website"],
        "id": p["id"],
        "customerId": p["customer_id"],
        "balance": {"available": money(p["balance"]["available"]), "frozen": money(p["balance"]["frozen"])},
        "email": p["email"],
        "logo": p["logo"],
        "commissionRate": float(p["commission_rate"]),
        "charity": p["charity"],
    }


PROFILE_KEYS = {
    "firstName": "first_name",
    "lastName": "last_name",
    "phone": "phone",
    "organization": "organization",
    "website": "website",
}


class MeView(SwarmsView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: doc.Profile, 401: doc.ERROR})
    def get(self, request):
        return Response(_profile(request.user))

    @extend_schema(request=doc.ProfileUpdate, responses={200: doc.Profile, 400: doc.ERROR, 401: doc.ERROR})
    def put(self, request):
        data = body_dict(request)
        _unknown(
            data, set(PROFILE_KEYS) | {"customerId", "balance", "email", "logo", "commissionRate", "charity"}
        )
        changes = {PROFILE_KEYS[k]: _text(v, k, most=200) for k, v in data.items() if k in PROFILE_KEYS}
        profile_update(user=request.user, **changes)
        return Response(_profile(request.user))


# --- tasks (screens) ---------------------------------------------------------------------------------------


def _task_values(data: dict, *, create: bool) -> dict:
    _unknown(data, {"name", "components", "properties"})
    values = {}
    if create or "name" in data:
        values["name"] = _text(data.get("name"), "name", required=True, most=200)
    if "components" in data:
        values["components"] = data["components"]
    if "properties" in data:
        values["properties"] = _properties(data["properties"])
    return values


class TaskListView(SwarmsView):
    @extend_schema(
        operation_id="swarms_tasks_list",
        parameters=doc.LIST_PARAMS,
        responses={200: doc.TaskPage, 400: doc.ERROR},
    )
    def get(self, request):
        return _list(
            self,
            screen_selectors.screen_list(user=request.user),
            "tasks",
            "/tasks",
            task_out,
            prepare=attach_task_sizes,
        )

    @extend_schema(request=doc.TaskIn, responses={201: doc.Task, 400: doc.ERROR})
    def post(self, request):
        screen = screen_services.screen_create(
            owner=request.user, **_task_values(body_dict(request), create=True)
        )
        return Response(
            task_out(screen_selectors.screen_get(user=request.user, pk=screen.pk), self.hal), status=201
        )


class TaskDetailView(SwarmsView):
    @extend_schema(responses={200: doc.Task, 404: doc.ERROR})
    def get(self, request, pk):
        return Response(task_out(screen_selectors.screen_get(user=request.user, pk=object_id(pk)), self.hal))

    @extend_schema(
        request=doc.TaskIn, responses={200: doc.Task, 400: doc.ERROR, 404: doc.ERROR, 409: doc.ERROR}
    )
    def put(self, request, pk):
        screen = screen_selectors.screen_get(user=request.user, pk=object_id(pk))
        screen_services.screen_update(screen=screen, **_task_values(body_dict(request), create=False))
        return self.get(request, pk)

    @extend_schema(responses={204: None, 404: doc.ERROR, 409: doc.ERROR})
    def delete(self, request, pk):
        screen_services.screen_delete(screen=screen_selectors.screen_get(user=request.user, pk=object_id(pk)))
        return Response(status=204)


class TaskActionView(SwarmsView):
    action = ""

    @extend_schema(request=None, responses={200: doc.Task, 201: doc.Task, 404: doc.ERROR})
    def post(self, request, pk):
        screen = screen_selectors.screen_get(user=request.user, pk=object_id(pk))
        if self.action == "copy":
            copy = screen_services.screen_copy(screen=screen, owner=request.user)
            return Response(
                task_out(screen_selectors.screen_get(user=request.user, pk=copy.pk), self.hal), status=201
            )
        screen_services.screen_set_archived(screen=screen, archived=self.action == "archive")
        return Response(task_out(screen_selectors.screen_get(user=request.user, pk=screen.pk), self.hal))


# --- jobs ---------------------------------------------------------------------------------------------------


def _job_values(data: dict, *, create: bool) -> dict:
    _unknown(data, {"name", "description", "properties", "title"})
    values = {}
    if create or "name" in data or "title" in data:
        values["name"] = _text(data.get("name", data.get("title")), "name", required=True, most=200)
    if "description" in data:
        values["description"] = _text(data["description"], "description")
    if "properties" in data:
        values["properties"] = _properties(data["properties"])
    return values


class JobListView(SwarmsView):
    @extend_schema(
        operation_id="swarms_jobs_list",
        parameters=doc.LIST_PARAMS,
        responses={200: doc.JobPage, 400: doc.ERROR},
    )
    def get(self, request):
        return _list(
            self,
            screen_selectors.job_list(user=request.user),
            "jobs",
            "/jobs",
            job_out,
            prepare=attach_job_sizes,
        )

    @extend_schema(request=doc.JobIn, responses={201: doc.Job, 400: doc.ERROR})
    def post(self, request):
        job = screen_services.job_create(owner=request.user, **_job_values(body_dict(request), create=True))
        return Response(job_out(screen_selectors.job_get(user=request.user, pk=job.pk), self.hal), status=201)


class JobDetailView(SwarmsView):
    @extend_schema(responses={200: doc.Job, 404: doc.ERROR})
    def get(self, request, pk):
        return Response(job_out(screen_selectors.job_get(user=request.user, pk=object_id(pk)), self.hal))

    @extend_schema(
        request=doc.JobIn, responses={200: doc.Job, 400: doc.ERROR, 404: doc.ERROR, 409: doc.ERROR}
    )
    def put(self, request, pk):
        job = screen_selectors.job_get(user=request.user, pk=object_id(pk))
        screen_services.job_update(job=job, **_job_values(body_dict(request), create=False))
        return self.get(request, pk)

    @extend_schema(responses={204: None, 404: doc.ERROR, 409: doc.ERROR})
    def delete(self, request, pk):
        screen_services.job_delete(job=screen_selectors.job_get(user=request.user, pk=object_id(pk)))
        return Response(status=204)


class JobActionView(SwarmsView):
    action = ""

    @extend_schema(
        request=None,
        parameters=[doc.DEEP],
        responses={200: doc.Job, 201: doc.Job, 400: doc.ERROR, 404: doc.ERROR},
    )
    def post(self, request, pk):
        job = screen_selectors.job_get(user=request.user, pk=object_id(pk))
        if self.action == "copy":
            copy = screen_services.job_copy(job=job, deep=_deep(request), owner=request.user)
            return Response(
                job_out(screen_selectors.job_get(user=request.user, pk=copy.pk), self.hal), status=201
            )
        screen_services.job_set_archived(job=job, archived=self.action == "archive", deep=_deep(request))
        return Response(job_out(screen_selectors.job_get(user=request.user, pk=job.pk), self.hal))


class JobTasksView(SwarmsView):
    def _render(self, request, job):
        screens = screen_selectors.job_screens(job_id=job.pk)
        annotated = screen_selectors.screen_list(user=request.user).in_bulk([s.pk for s in screens])
        attach_task_sizes(annotated.values())
        return Response({"tasks": [task_out(annotated[s.pk], self.hal) for s in screens], "_links": {}})

    @extend_schema(responses={200: doc.TaskPage, 404: doc.ERROR})
    def get(self, request, pk):
        return self._render(request, screen_selectors.job_get(user=request.user, pk=object_id(pk)))

    @extend_schema(
        request=doc.IdList, responses={200: doc.TaskPage, 400: doc.ERROR, 404: doc.ERROR, 409: doc.ERROR}
    )
    def post(self, request, pk):
        """Add tasks (screen ids) at the end of the job."""
        job = screen_selectors.job_get(user=request.user, pk=object_id(pk))
        present = [s.pk for s in screen_selectors.job_screens(job_id=job.pk)]
        screen_services.job_update(job=job, screens=present + _ids(request, "tasks"))
        return self._render(request, job)

    @extend_schema(
        request=doc.IdList, responses={200: doc.TaskPage, 400: doc.ERROR, 404: doc.ERROR, 409: doc.ERROR}
    )
    def put(self, request, pk):
        """Replace the job's tasks (screen ids, in order)."""
        job = screen_selectors.job_get(user=request.user, pk=object_id(pk))
        screen_services.job_update(job=job, screens=_ids(request, "tasks"))
        return self._render(request, job)


# --- campaigns ----------------------------------------------------------------------------------------------

DURATIONS = {"maxWorkTime": "time_allowed_s", "maxReviewTime": "review_window_s"}
CAMPAIGN_KEYS = {
    "name",
    "title",
    "description",
    "terms",
    "estDuration",
    "workerPayment",
    "results",
    "maxResultsPerWorker",
    "workerGroup",
    "maxWorkTime",
    "maxUploadTime",
    "maxReviewTime",
    "training",
    "startDate",
    "endDate",
    "properties",
}


def _whole(value, field: str, *, allow_none=False):
    if value is None and allow_none:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise SwarmsError(1100, f"{field} must be a whole number.", code="invalid-type", field=field)
    return value


def _campaign_values(data: dict, *, create: bool):
    """Split a Swarms campaign body into engine values, texts and the worker group."""
    _unknown(data, CAMPAIGN_KEYS)
    values, text = {}, {}
    if create or "name" in data:
        values["name"] = _text(data.get("name"), "name", required=True, most=200)
    if "title" in data:
        values["title"] = _text(data["title"], "title", most=200)
    for key in ("description", "terms"):
        if key in data:
            values[key] = _text(data[key], key)
    if "properties" in data:
        text["properties"] = _properties(data["properties"])
    # Durations that may be left unset (null).
    for key, column, into in (
        ("estDuration", "est_duration_s", values),
        ("maxUploadTime", "max_upload_time_s", text),
    ):
        if key in data:
            into[column] = None if data[key] is None else parse_duration(data[key], key)
    for key, column in DURATIONS.items():
        if key in data:
            values[column] = parse_duration(data[key], key)
    if "workerPayment" in data:
        value = data["workerPayment"]
        try:
            amount = (
                Decimal(str(value))
                if isinstance(value, (int, float, str)) and not isinstance(value, bool)
                else None
            )
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
            raise SwarmsError(
                1100,
                "workerPayment is an amount with at most two decimals.",
                code="invalid-amount",
                field="workerPayment",
            )
        values["payment_per_result"] = amount
    if "results" in data:
        values["results_per_task"] = _whole(data["results"], "results")
    if "maxResultsPerWorker" in data:
        values["max_results_per_worker"] = _whole(
            data["maxResultsPerWorker"], "maxResultsPerWorker", allow_none=True
        )
    if "training" in data:
        if not isinstance(data["training"], bool):
            raise SwarmsError(1100, "training is true or false.", code="invalid-type", field="training")
        values["training"] = data["training"]
    for key, column in (("startDate", "start_at"), ("endDate", "end_at")):
        if key in data:
            values[column] = None if data[key] is None else parse_moment(data[key], key)
    group, group_given = None, "workerGroup" in data
    if group_given and data["workerGroup"] is not None:
        pk = _whole(data["workerGroup"], "workerGroup")
        group = Group.objects.filter(pk=pk).first()
        if group is None:
            raise SwarmsError(1100, f"No worker group {pk}.", code="unknown-group", field="workerGroup")
    return values, text, group, group_given


def _campaigns(user):
    return (
        campaign_list_for_requester(user=user)
        .select_related("swarms_text")
        .prefetch_related(Prefetch("worker_groups", queryset=Group.objects.only("pk")))
    )


def _campaign(request, pk):
    return campaign_get_for_requester(user=request.user, pk=object_id(pk))


def _fresh(request, pk):
    campaign = _campaigns(request.user).filter(pk=pk).first()
    if campaign is None:
        raise NotFound("No such campaign.", code="campaign-not-found")
    return campaign


class CampaignListView(SwarmsView):
    @extend_schema(
        operation_id="swarms_campaigns_list",
        parameters=doc.LIST_PARAMS,
        responses={200: doc.CampaignPage, 400: doc.ERROR},
    )
    def get(self, request):
        return _list(self, _campaigns(request.user), "campaigns", "/campaigns", campaign_out)

    @extend_schema(request=doc.CampaignIn, responses={201: doc.Campaign, 400: doc.ERROR})
    def post(self, request):
        values, text, group, given = _campaign_values(body_dict(request), create=True)
        name = values.pop("name")
        campaign = swarms_campaign_create(
            user=request.user, name=name, values=values, text=text, group=group, group_given=given
        )
        return Response(campaign_out(_fresh(request, campaign.pk), self.hal), status=201)


class CampaignDetailView(SwarmsView):
    @extend_schema(responses={200: doc.Campaign, 404: doc.ERROR})
    def get(self, request, pk):
        _campaign(request, pk)
        return Response(campaign_out(_fresh(request, object_id(pk)), self.hal))

    @extend_schema(
        request=doc.CampaignIn, responses={200: doc.Campaign, 400: doc.ERROR, 404: doc.ERROR, 409: doc.ERROR}
    )
    def put(self, request, pk):
        campaign = _campaign(request, pk)
        values, text, group, given = _campaign_values(body_dict(request), create=False)
        swarms_campaign_update(campaign=campaign, values=values, text=text, group=group, group_given=given)
        return Response(campaign_out(_fresh(request, campaign.pk), self.hal))

    @extend_schema(responses={204: None, 404: doc.ERROR, 409: doc.ERROR})
    def delete(self, request, pk):
        """Delete an unpublished campaign; a running one is refused (cancel it first)."""
        campaign_services.campaign_delete(campaign=_campaign(request, pk))
        return Response(status=204)


class CampaignActionView(SwarmsView):
    action = ""

    @extend_schema(
        request=None,
        responses={200: doc.Campaign, 201: doc.Campaign, 402: doc.ERROR, 404: doc.ERROR, 409: doc.ERROR},
    )
    def post(self, request, pk):
        campaign = _campaign(request, pk)
        body_dict(request)
        if self.action == "copy":
            copy = swarms_campaign_copy(campaign=campaign, deep=_deep(request), user=request.user)
            return Response(campaign_out(_fresh(request, copy.pk), self.hal), status=201)
        if self.action in {"archive", "unarchive"}:
            campaign_set_archived(campaign=campaign, archived=self.action == "archive", deep=_deep(request))
        else:
            campaign_services.CAMPAIGN_ACTIONS[self.action](campaign=campaign)
        return Response(campaign_out(_fresh(request, campaign.pk), self.hal))


class CampaignJobsView(SwarmsView):
    def _render(self, request, campaign, jobs):
        annotated = screen_selectors.job_list(user=request.user).in_bulk([job.pk for job in jobs])
        attach_job_sizes(annotated.values())
        return Response({"jobs": [job_out(annotated[job.pk], self.hal) for job in jobs], "_links": {}})

    @extend_schema(responses={200: doc.JobPage, 404: doc.ERROR})
    def get(self, request, pk):
        campaign = _campaign(request, pk)
        return self._render(request, campaign, campaign_job_list(campaign=campaign))

    @extend_schema(
        request=doc.IdList, responses={200: doc.JobPage, 400: doc.ERROR, 404: doc.ERROR, 409: doc.ERROR}
    )
    def post(self, request, pk):
        """Add jobs (ids) to the campaign: each becomes one task of it."""
        campaign = _campaign(request, pk)
        jobs = campaign_jobs_add(campaign=campaign, job_ids=_ids(request, "jobs"), by=request.user)
        return self._render(request, campaign, jobs)

    @extend_schema(
        request=doc.IdList, responses={200: doc.JobPage, 400: doc.ERROR, 404: doc.ERROR, 409: doc.ERROR}
    )
    def put(self, request, pk):
        """Replace the campaign's jobs (before it is published)."""
        campaign = _campaign(request, pk)
        jobs = campaign_jobs_set(campaign=campaign, job_ids=_ids(request, "jobs"), by=request.user)
        return self._render(request, campaign, jobs)


# --- results, workers, review -------------------------------------------------------------------------------


def _results_page(view, campaign_id: int, path: str, worker_id: int | None = None):
    request = view.request
    qs = (
        assignment_list_for_requester(user=request.user)
        .filter(campaign_id=campaign_id, state__in=list(STATE_FILTERS.values()))
        .select_related("task")
    )
    state = request.query_params.get("state")
    if state is not None:
        if state not in STATE_FILTERS:
            raise SwarmsError(
                1105,
                f"state must be one of {', '.join(STATE_FILTERS)}; got {state!r}.",
                code="invalid-parameter",
                field="state",
            )
        qs = qs.filter(state=STATE_FILTERS[state])
    since = request.query_params.get("since")
    if since is not None:
        qs = qs.filter(submitted_at__gt=parse_moment(since, "since", 1105))
    if worker_id is not None:
        qs = qs.filter(worker_id=worker_id)
    rows, links = keyset_page(request, qs, path=path)
    job_ids = {row.task.job_id for row in rows if row.task.job_id}
    screens: dict[int, list] = {pk: [] for pk in job_ids}
    for js in (
        JobScreen.objects.filter(job_id__in=job_ids).select_related("screen").order_by("job_id", "position")
    ):
        screens[js.job_id].append(js.screen)
    out = [
        result_out(
            row,
            job_task_results(job_id=row.task.job_id, answers=row.answers, screens=screens[row.task.job_id])
            if row.task.job_id
            else [],
            view.hal,
        )
        for row in rows
    ]
    return {"results": out, "_links": links}


class CampaignResultsView(SwarmsView):
    @extend_schema(
        parameters=doc.RESULT_PARAMS, responses={200: doc.ResultPage, 400: doc.ERROR, 404: doc.ERROR}
    )
    def get(self, request, pk):
        campaign = _campaign(request, pk)
        return Response(_results_page(self, campaign.pk, f"/campaigns/{campaign.pk}/results"))


class CampaignWorkersView(SwarmsView):
    @extend_schema(
        parameters=doc.WORKER_PARAMS, responses={200: doc.WorkerPage, 400: doc.ERROR, 404: doc.ERROR}
    )
    def get(self, request, pk):
        campaign = _campaign(request, pk)
        in_review = bool(bool_param(request, "InReview"))
        qs = worker_standing_list(user=request.user, campaign=campaign, in_review=in_review)
        rows, links = keyset_page(request, qs, path=f"/campaigns/{campaign.pk}/workers")
        return Response({"workers": [_worker(row, campaign.pk, self.hal) for row in rows], "_links": links})


def _worker(row, campaign_id: int, hal: bool) -> dict:
    from .links import worker_links

    out = worker_out(row)
    if hal:
        out["_links"] = worker_links(campaign_id, row.pk)
    return out


def _campaign_worker(request, campaign, worker_id):
    worker = (
        worker_standing_list(user=request.user, campaign=campaign)
        .filter(pk=object_id(worker_id, "workerId"))
        .first()
    )
    if worker is None:
        raise NotFound("No such worker in this campaign.", code="worker-not-found")
    return worker


class WorkerResultsView(SwarmsView):
    @extend_schema(
        parameters=doc.RESULT_PARAMS, responses={200: doc.WorkerResultPage, 400: doc.ERROR, 404: doc.ERROR}
    )
    def get(self, request, campaign_id, worker_id):
        campaign = _campaign(request, campaign_id)
        worker = _campaign_worker(request, campaign, worker_id)
        page = _results_page(
            self, campaign.pk, f"/campaigns/{campaign.pk}/workers/{worker.pk}/results", worker.pk
        )
        page["worker"] = _worker(worker, campaign.pk, self.hal)
        return Response(page)


def _message(request, name: str, *, required: bool) -> str:
    data = body_dict(request)
    return _text(data.get(name), name, required=required, most=50_000)


class ApproveAllView(SwarmsView):
    @extend_schema(
        request=doc.Message, responses={200: doc.Approved, 402: doc.ERROR, 403: doc.ERROR, 404: doc.ERROR}
    )
    def post(self, request, campaign_id, worker_id=None):
        message = _message(request, "message", required=False)
        campaign = campaign_get_for_review(user=request.user, pk=object_id(campaign_id, "campaignId"))
        worker = _campaign_worker(request, campaign, worker_id) if worker_id is not None else None
        approved = review.results_approve_all(
            campaign=campaign, reviewer=request.user, worker=worker, feedback=message
        )
        return Response({"approved": approved})


def _result(request, pk):
    return assignment_get_for_requester(user=request.user, pk=object_id(pk))


class ResultDetailView(SwarmsView):
    @extend_schema(responses={200: doc.Result, 404: doc.ERROR})
    def get(self, request, pk):
        assignment = _result(request, pk)
        if assignment.state not in STATE_FILTERS.values():
            raise NotFound("No such result.", code="result-not-found")
        screens = (
            screen_selectors.job_screens(job_id=assignment.task.job_id) if assignment.task.job_id else []
        )
        results = (
            job_task_results(job_id=assignment.task.job_id, answers=assignment.answers, screens=screens)
            if screens
            else []
        )
        return Response(result_out(assignment, results, self.hal))


class ResultActionView(SwarmsView):
    action = ""

    @extend_schema(
        request=doc.ReviewIn,
        responses={200: doc.Result, 400: doc.ERROR, 402: doc.ERROR, 404: doc.ERROR, 409: doc.ERROR},
    )
    def post(self, request, pk):
        assignment = assignment_get_for_review(user=request.user, pk=object_id(pk))
        if self.action == "approve":
            decisions.assignment_approve(
                assignment_id=assignment.pk,
                reviewer=request.user,
                feedback=_message(request, "message", required=False),
            )
        elif self.action == "reject":
            decisions.assignment_reject(
                assignment_id=assignment.pk,
                reviewer=request.user,
                reason=_message(request, "reason", required=True),
            )
        else:
            reason = _message(request, "reason", required=True)
            until = body_dict(request).get("until")
            if until is None:
                raise SwarmsError(1100, "until is required.", code="required", field="until")
            decisions.assignment_soft_reject(
                assignment_id=assignment.pk,
                reviewer=request.user,
                reason=reason,
                until=parse_moment(until, "until"),
            )
        return ResultDetailView.get(self, request, pk)


# --- preview and upload -------------------------------------------------------------------------------------


class MarkdownPreviewView(SwarmsView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=doc.MarkdownIn, responses={200: doc.MarkdownOut, 400: doc.ERROR})
    def post(self, request):
        """The HTML a worker will see for a review message in Markdown."""
        return Response(
            {
                "html": render_markdown(
                    _text(body_dict(request).get("text"), "text", required=False, most=50_000)
                )
            }
        )


class UploadView(SwarmsView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request=doc.UploadIn,
        responses={
            201: OpenApiResponse(OpenApiTypes.STR, description="The file's URL, a bare JSON string."),
            400: doc.ERROR,
            413: doc.ERROR,
            415: doc.ERROR,
        },
    )
    def post(self, request):
        """Store a media file (multipart field ``file``) for use in components; answers its URL."""
        upload = request.FILES.get("file")
        if upload is None:
            raise SwarmsError(
                1100, "Send the file in the multipart field file.", code="required", field="file"
            )
        media = media_upload(owner=request.user, upload=upload)
        return Response(media_url(media), status=201)


class UnknownRouteView(SwarmsView):
    schema = None
    authentication_classes = []
    permission_classes = [AllowAny]

    def _missing(self, request, *args, **kwargs):
        raise NotFound("No such route in the Swarms API.", code="route-not-found")

    get = post = put = delete = patch = _missing
