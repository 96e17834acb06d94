"""Request and response shapes of the Swarms API for its OpenAPI schema (``/swarms/schema/``)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers as s


def shape(name: str, fields: dict) -> type[s.Serializer]:
    """A named serializer class, for a shape used both alone and in lists."""
    return type(name, (s.Serializer,), dict(fields))


ERROR = inline_serializer(
    "SwarmsError",
    {
        "code": s.IntegerField(help_text="Stable number from the table in docs/swarms.md."),
        "message": s.CharField(),
        "description": s.CharField(),
        "error": s.CharField(required=False, help_text="The platform's kebab-case code."),
        "field": s.CharField(required=False, help_text="The field or parameter at fault."),
    },
)
_HREF = inline_serializer(
    "SwarmsHref",
    {"href": s.CharField(help_text="Relative to the mount: base_url + href.")},
    required=False,  # a list's first page has no previous, its last no next
)
PAGE_LINKS = inline_serializer("SwarmsPageLinks", {"next": _HREF, "previous": _HREF})
LINKS = s.DictField(
    child=_HREF,
    required=False,
    help_text="With Accept: application/hal+json: self, related and allowed actions.",
)

TokenRequest = inline_serializer("SwarmsTokenRequest", {"email": s.EmailField(), "password": s.CharField()})
Token = inline_serializer(
    "SwarmsToken", {"accessToken": s.CharField(), "expiresAt": s.CharField(), "userId": s.IntegerField()}
)
_PROFILE_IN = {
    "firstName": s.CharField(required=False),
    "lastName": s.CharField(required=False),
    "phone": s.CharField(required=False),
    "organization": s.CharField(required=False),
    "website": s.CharField(required=False),
}
ProfileUpdate = inline_serializer("SwarmsProfileUpdate", _PROFILE_IN)
Profile = inline_serializer(
    "SwarmsProfile",
    {
        **_PROFILE_IN,
        "id": s.IntegerField(),
        "customerId": s.CharField(),
        "balance": inline_serializer("SwarmsBalance", {"available": s.CharField(), "frozen": s.CharField()}),
        "email": s.CharField(),
        "logo": s.CharField(),
        "commissionRate": s.FloatField(),
        "charity": s.BooleanField(),
    },
)
_COMMON = {
    "id": s.IntegerField(read_only=True),
    "readOnly": s.BooleanField(read_only=True),
    "lastModifiedAt": s.CharField(read_only=True),
    "createdAt": s.CharField(read_only=True),
    "archived": s.BooleanField(read_only=True),
    "properties": s.DictField(child=s.CharField(), required=False),
}
_TASK_IN = {
    "name": s.CharField(),
    "components": s.ListField(child=s.DictField(), required=False, help_text="See docs/components.md."),
    "properties": s.DictField(child=s.CharField(), required=False),
}
TaskIn = inline_serializer("SwarmsTaskIn", _TASK_IN)
# Read-only sizes of tasks and jobs (compat.swarms.sizes).
_SIZES = {
    "resourcesSize": s.CharField(
        help_text='What a worker downloads: the definitions and the uploaded files shown ("3MB").'
    ),
    "estimatedUploadSize": s.CharField(
        help_text='About what a worker uploads: recordings at default bit rates, drawings ("2MB").'
    ),
}
_TASK_FIELDS = {
    **_TASK_IN,
    **_COMMON,
    **_SIZES,
    "_links": LINKS,
}
Task = shape("SwarmsTask", _TASK_FIELDS)
TaskPage = inline_serializer(
    "SwarmsTaskPage",
    {"tasks": Task(many=True), "_links": PAGE_LINKS},
)
_JOB_IN = {
    "name": s.CharField(),
    "description": s.CharField(required=False),
    "properties": s.DictField(child=s.CharField(), required=False),
}
JobIn = inline_serializer("SwarmsJobIn", _JOB_IN)
_JOB_FIELDS = {
    **_JOB_IN,
    **_COMMON,
    **_SIZES,
    "_links": LINKS,
}
Job = shape("SwarmsJob", _JOB_FIELDS)
JobPage = inline_serializer("SwarmsJobPage", {"jobs": Job(many=True), "_links": PAGE_LINKS})
IdList = {
    "application/json": {"type": "array", "items": {"type": "integer"}, "description": "Ids, in order."}
}
_CAMPAIGN_IN = {
    "name": s.CharField(),
    "title": s.CharField(required=False),
    "description": s.CharField(required=False),
    "terms": s.CharField(required=False),
    "estDuration": s.CharField(
        required=False, help_text='A duration: "10 sec", "10 min", "3 hours", "2 days".'
    ),
    "workerPayment": s.FloatField(required=False),
    "results": s.IntegerField(required=False, help_text="Results wanted per job."),
    "maxResultsPerWorker": s.IntegerField(required=False, allow_null=True),
    "workerGroup": s.IntegerField(required=False, allow_null=True),
    "maxWorkTime": s.CharField(required=False),
    "maxUploadTime": s.CharField(required=False),
    "maxReviewTime": s.CharField(required=False),
    "training": s.BooleanField(required=False),
    "startDate": s.CharField(required=False, allow_null=True, help_text="2018-01-01T10:00 (UTC)"),
    "endDate": s.CharField(required=False, allow_null=True),
    "properties": s.DictField(child=s.CharField(), required=False),
}
CampaignIn = inline_serializer("SwarmsCampaignIn", _CAMPAIGN_IN)
_CAMPAIGN_FIELDS = {
    **_CAMPAIGN_IN,
    **_COMMON,
    "state": s.ChoiceField(["unpublished", "active", "paused", "finished", "cancelled"]),
    "_links": LINKS,
}
Campaign = shape("SwarmsCampaign", _CAMPAIGN_FIELDS)
CampaignPage = inline_serializer(
    "SwarmsCampaignPage",
    {"campaigns": Campaign(many=True), "_links": PAGE_LINKS},
)
_RESULT_FIELDS = {
    "worker": s.IntegerField(),
    "job": s.IntegerField(),
    "startedAt": s.CharField(),
    "completedAt": s.CharField(),
    "state": s.ChoiceField(["InReview", "Approved", "Rejected", "SoftRejected"]),
    "taskResults": s.ListField(child=s.DictField()),
    "id": s.IntegerField(),
    "assignmentId": s.IntegerField(),
    "_links": LINKS,
}
Result = shape("SwarmsResult", _RESULT_FIELDS)
ResultPage = inline_serializer(
    "SwarmsResultPage",
    {"results": Result(many=True), "_links": PAGE_LINKS},
)
_MEFORM = inline_serializer(
    "SwarmsMeGlobal", {"me": s.FloatField(allow_null=True), "global": s.FloatField(allow_null=True)}
)
_WORKER_FIELDS = {
    "id": s.IntegerField(),
    "reputation": _MEFORM,
    "experience": _MEFORM,
    "results": inline_serializer(
        "SwarmsWorkerCounts",
        {"inReview": s.IntegerField(), "approved": s.IntegerField(), "rejected": s.IntegerField()},
    ),
    "_links": LINKS,
}
Worker = shape("SwarmsWorker", _WORKER_FIELDS)
WorkerPage = inline_serializer(
    "SwarmsWorkerPage",
    {"workers": Worker(many=True), "_links": PAGE_LINKS},
)
WorkerResultPage = inline_serializer(
    "SwarmsWorkerResultPage",
    {
        "results": Result(many=True),
        "worker": Worker(),
        "_links": PAGE_LINKS,
    },
)
Message = inline_serializer("SwarmsMessage", {"message": s.CharField(required=False)})
Approved = inline_serializer(
    "SwarmsApproved", {"approved": s.IntegerField(help_text="How many results were approved.")}
)
ReviewIn = inline_serializer(
    "SwarmsReview",
    {
        "message": s.CharField(required=False, help_text="approve: an optional message."),
        "reason": s.CharField(required=False, help_text="reject and soft-reject: required."),
        "until": s.CharField(required=False, help_text="soft-reject: required, when the redo window closes."),
    },
)
MarkdownIn = inline_serializer("SwarmsMarkdownIn", {"text": s.CharField()})
MarkdownOut = inline_serializer("SwarmsMarkdownOut", {"html": s.CharField()})
UploadIn = inline_serializer("SwarmsUpload", {"file": s.FileField()})

_LIMIT = OpenApiParameter("limit", OpenApiTypes.INT, description="1 to 100, default 10.")
_CURSORS = [
    OpenApiParameter("after", OpenApiTypes.INT, description="Id of the last row seen: the next page."),
    OpenApiParameter("before", OpenApiTypes.INT, description="Id of the first row seen: the previous page."),
]
LIST_PARAMS = [
    _LIMIT,
    *_CURSORS,
    OpenApiParameter(
        "order", OpenApiTypes.STR, description="id, name, lastModifiedAt or createdAt; - for descending."
    ),
    OpenApiParameter("search", OpenApiTypes.STR, description="Whole words of the name."),
]
RESULT_PARAMS = [
    _LIMIT,
    *_CURSORS,
    OpenApiParameter("state", OpenApiTypes.STR, enum=["InReview", "Approved", "Rejected", "SoftRejected"]),
    OpenApiParameter("since", OpenApiTypes.STR, description="Submitted after, e.g. 2018-03-14T03:14 (UTC)."),
]
WORKER_PARAMS = [_LIMIT, *_CURSORS, OpenApiParameter("InReview", OpenApiTypes.BOOL)]
DEEP = OpenApiParameter("deep", OpenApiTypes.BOOL, description="Include what it holds.")


_OPEN = {"/auth/token/request"}
_ANY_USER = {"/auth/token/discard", "/me", "/preview/markdown"}
_CONVENTION_HEADERS = {
    "X-Request-ID": {
        "schema": {"type": "string", "format": "uuid"},
        "description": "Identifies the request.",
    },
    "X-API-Version": {"schema": {"type": "string"}, "description": "The version used: 1.0."},
}


def swarms_conventions(result, generator, request, public):
    """Postprocessing hook: on every operation the X-API-Version request header, the X-Request-ID and
    X-API-Version response headers, and the error responses every route can give (401, 403, 400)."""
    # An error is the same body in either wire format the client asked for (Accept or ?format=hal).
    error = {
        media: {"schema": {"$ref": "#/components/schemas/SwarmsError"}}
        for media in ("application/json", "application/hal+json")
    }
    for route, operations in result.get("paths", {}).items():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path":
                    parameter["schema"] = {"type": "integer"}
            operation.setdefault("parameters", []).append(
                {
                    "name": "X-API-Version",
                    "in": "header",
                    "schema": {"type": "string", "default": "1.0", "enum": ["1.0"]},
                    "description": "Any other version is refused with 400 (code 1101).",
                }
            )
            responses = operation["responses"]
            wanted = {"400": "Bad input or an unsupported X-API-Version."}
            if route not in _OPEN:
                wanted["401"] = "No X-Auth-Token, or an expired, discarded or unknown one (code 1001)."
                operation["security"] = [{"swarmsToken": []}]
            if route not in _OPEN | _ANY_USER:
                wanted["403"] = "A requester route with a worker's token (code 1003)."
            for status, description in wanted.items():
                responses.setdefault(status, {"description": description, "content": error})
            for response in responses.values():
                response.setdefault("headers", {}).update(_CONVENTION_HEADERS)
    return result
