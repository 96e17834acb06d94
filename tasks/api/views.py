from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from accounts.permissions import IsRequester
from campaigns.api.access import campaign_get_for_change
from campaigns.selectors import campaign_get_for_requester
from crowdplatform.api.parsers import CsvBody, CsvParser, JSONParser
from crowdplatform.api.viewsets import SelectorViewSet
from crowdplatform.errors import ValidationFailed
from tasks import selectors
from tasks.ingest import tasks_ingest_csv, tasks_ingest_rows
from tasks.models import Task
from tasks.staging import tasks_ensure_written, tasks_ensure_written_for_requester

from .serializers import TASK_INGEST_REQUEST, TaskIngestOutputSerializer, TaskOutputSerializer


@extend_schema(tags=["tasks"])
class CampaignTaskViewSet(SelectorViewSet):
    """The tasks of one campaign; adding tasks needs ``campaigns.manage`` on it."""

    permission_classes = [IsRequester]
    parser_classes = [JSONParser, CsvParser, MultiPartParser]
    schema_model = Task

    def selector_queryset(self):
        campaign = campaign_get_for_requester(user=self.request.user, pk=self.kwargs["campaign_pk"])
        tasks_ensure_written(campaign=campaign)
        return selectors.task_list_for_requester(user=self.request.user, campaign_id=campaign.pk)

    @extend_schema(responses=TaskOutputSerializer(many=True))
    def list(self, request, campaign_pk=None):
        return self.paginated(self.get_queryset(), TaskOutputSerializer)

    @extend_schema(
        request=TASK_INGEST_REQUEST,
        responses={
            201: TaskIngestOutputSerializer,
            400: OpenApiResponse(
                description="A row lacks a template field, or is malformed; nothing is written."
            ),
            409: OpenApiResponse(description="The campaign no longer takes tasks."),
        },
    )
    def create(self, request, campaign_pk=None):
        """Add tasks: a JSON list of objects, a CSV body (``Content-Type: text/csv``) or a multipart ``file``."""
        campaign = campaign_get_for_change(user=request.user, pk=campaign_pk)
        data = request.data
        if isinstance(data, CsvBody):
            job = tasks_ingest_csv(campaign=campaign, stream=data.stream, created_by=request.user)
        elif "file" in request.FILES:
            upload = request.FILES["file"]
            job = tasks_ingest_csv(
                campaign=campaign, stream=upload.file, created_by=request.user, filename=upload.name
            )
        elif isinstance(data, list):
            job = tasks_ingest_rows(campaign=campaign, rows=data, created_by=request.user)
        else:
            raise ValidationFailed(
                "Send a JSON list of task objects, a text/csv body or a multipart 'file'.",
                code="invalid-type",
            )
        return Response(
            TaskIngestOutputSerializer({"created": job.rows, "import_id": job.pk}).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["tasks"])
class TaskViewSet(SelectorViewSet):
    permission_classes = [IsRequester]
    schema_model = Task

    def selector_queryset(self):
        tasks_ensure_written_for_requester(user=self.request.user)
        return selectors.task_list_for_requester(user=self.request.user)

    @extend_schema(responses=TaskOutputSerializer)
    def retrieve(self, request, pk=None):
        return Response(TaskOutputSerializer(selectors.task_get_for_requester(user=request.user, pk=pk)).data)
