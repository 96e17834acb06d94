from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.models import PermissionName
from accounts.permissions import IsRequester
from campaigns import selectors, services
from campaigns.models import Campaign
from crowdplatform.api.viewsets import SelectorViewSet
from projects.api.access import project_get_for_change
from projects.api.screen_serializers import JobIdsInputSerializer, JobOutputSerializer
from projects.api.screen_views import DEEP, deep_flag, id_list
from projects.selectors import job_list, project_get
from results.api.serializers import WorkAssignmentOutputSerializer
from tasks.jobs import (
    campaign_copy,
    campaign_job_list,
    campaign_jobs_add,
    campaign_jobs_set,
    campaign_set_archived,
)
from tasks.selectors import campaign_list_for_worker_with_availability
from tasks.services import task_claim_next

from .access import campaign_get_for_change
from .filters import CampaignFilter
from .serializers import CampaignInputSerializer, CampaignOutputSerializer, WorkCampaignOutputSerializer

_conflict = OpenApiResponse(
    description="The action is not allowed in the campaign's state (illegal-transition)."
)


def _action_view(name: str):
    def view(self, request, pk=None):
        campaign = campaign_get_for_change(user=request.user, pk=pk)
        campaign = services.CAMPAIGN_ACTIONS[name](campaign=campaign)
        return Response(CampaignOutputSerializer(campaign).data)

    view.__name__ = f"{name}_action"
    view.__doc__ = f"Move the campaign through the '{name}' transition of its lifecycle."
    view = action(detail=True, methods=["post"], url_path=name, url_name=name)(view)
    return extend_schema(request=None, responses={200: CampaignOutputSerializer, 409: _conflict})(view)


@extend_schema(tags=["campaigns"])
class CampaignViewSet(SelectorViewSet):
    """Campaigns the caller may read; changing one needs ``campaigns.manage`` on it (or its project)."""

    permission_classes = [IsRequester]
    schema_model = Campaign
    filterset_class = CampaignFilter

    def selector_queryset(self):
        return selectors.campaign_list_for_requester(user=self.request.user)

    @extend_schema(responses=CampaignOutputSerializer(many=True))
    def list(self, request):
        return self.paginated(self.filter_queryset(self.get_queryset()), CampaignOutputSerializer)

    @extend_schema(responses=CampaignOutputSerializer)
    def retrieve(self, request, pk=None):
        campaign = selectors.campaign_get_for_requester(user=request.user, pk=pk)
        return Response(CampaignOutputSerializer(campaign).data)

    @extend_schema(
        request=CampaignInputSerializer(partial=True),
        responses={200: CampaignOutputSerializer, 409: OpenApiResponse(description="Not changeable now.")},
    )
    def partial_update(self, request, pk=None):
        campaign = campaign_get_for_change(user=request.user, pk=pk)
        data = CampaignInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        campaign = services.campaign_update(campaign=campaign, **data.validated_data)
        return Response(CampaignOutputSerializer(campaign).data)

    publish_action = _action_view("publish")
    pause_action = _action_view("pause")
    continue_action = _action_view("continue")
    finish_action = _action_view("finish")
    cancel_action = _action_view("cancel")

    @extend_schema(request=None, parameters=[DEEP], responses={200: CampaignOutputSerializer, 409: _conflict})
    @action(detail=True, methods=["post"], url_path="archive", url_name="archive")
    def archive_action(self, request, pk=None):
        """Archive the campaign; with ``deep=true`` its jobs and their screens too."""
        campaign = campaign_get_for_change(user=request.user, pk=pk)
        campaign = campaign_set_archived(campaign=campaign, archived=True, deep=deep_flag(request))
        return Response(CampaignOutputSerializer(campaign).data)

    @extend_schema(request=None, responses={200: CampaignOutputSerializer, 409: _conflict})
    @action(detail=True, methods=["post"], url_path="unarchive", url_name="unarchive")
    def unarchive_action(self, request, pk=None):
        """Bring an archived campaign back to the state it was archived from, with its jobs and screens."""
        campaign = campaign_get_for_change(user=request.user, pk=pk)
        campaign = campaign_set_archived(campaign=campaign, archived=False)
        return Response(CampaignOutputSerializer(campaign).data)

    @extend_schema(request=None, parameters=[DEEP], responses={201: CampaignOutputSerializer})
    @action(detail=True, methods=["post"])
    def copy(self, request, pk=None):
        """A new unpublished campaign with the same conditions and jobs; with ``deep=true`` copies of the
        jobs and their screens."""
        campaign = campaign_get_for_change(user=request.user, pk=pk)
        copy = campaign_copy(campaign=campaign, deep=deep_flag(request), by=request.user)
        return Response(CampaignOutputSerializer(copy).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["get"], request=None, responses=JobOutputSerializer(many=True))
    @extend_schema(
        methods=["post", "put"],
        request=JobIdsInputSerializer,
        responses={200: JobOutputSerializer(many=True), 409: _conflict},
    )
    @action(detail=True, methods=["get", "post", "put"])
    def jobs(self, request, pk=None):
        """The jobs the campaign publishes, in order. POST job ids to add jobs (each becomes one task of the
        campaign, with the campaign's results per task); PUT to replace them before publishing."""
        if request.method == "GET":
            campaign = selectors.campaign_get_for_requester(user=request.user, pk=pk)
            jobs = campaign_job_list(campaign=campaign)
        else:
            campaign = campaign_get_for_change(user=request.user, pk=pk)
            change = campaign_jobs_add if request.method == "POST" else campaign_jobs_set
            jobs = change(campaign=campaign, job_ids=id_list(request, "jobs"), by=request.user)
        annotated = job_list(user=campaign.project.owner).in_bulk([job.pk for job in jobs])
        return Response(JobOutputSerializer([annotated[job.pk] for job in jobs], many=True).data)


@extend_schema(tags=["campaigns"])
class ProjectCampaignViewSet(SelectorViewSet):
    """The campaigns of one project; creating one needs ``campaigns.manage`` on the project."""

    permission_classes = [IsRequester]
    schema_model = Campaign
    filterset_class = CampaignFilter

    def selector_queryset(self):
        project = project_get(user=self.request.user, pk=self.kwargs["project_pk"])
        return selectors.campaign_list_for_requester(user=self.request.user).filter(project=project)

    @extend_schema(responses=CampaignOutputSerializer(many=True))
    def list(self, request, project_pk=None):
        return self.paginated(self.filter_queryset(self.get_queryset()), CampaignOutputSerializer)

    @extend_schema(request=CampaignInputSerializer, responses={201: CampaignOutputSerializer})
    def create(self, request, project_pk=None):
        project = project_get_for_change(
            user=request.user, pk=project_pk, permission=PermissionName.CAMPAIGNS_MANAGE
        )
        data = CampaignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        campaign = services.campaign_create(project=project, created_by=request.user, **data.validated_data)
        return Response(CampaignOutputSerializer(campaign).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["work"])
class WorkCampaignViewSet(SelectorViewSet):
    """Campaigns the caller may work on now, and claiming their next task."""

    permission_classes = [IsAuthenticated]
    schema_model = Campaign

    def selector_queryset(self):
        return campaign_list_for_worker_with_availability(user=self.request.user)

    @extend_schema(responses=WorkCampaignOutputSerializer(many=True))
    def list(self, request):
        return self.paginated(self.get_queryset(), WorkCampaignOutputSerializer)

    @extend_schema(
        request=None,
        responses={
            201: WorkAssignmentOutputSerializer,
            409: OpenApiResponse(
                description="No task left for you (no-task-available) or campaign not active."
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        """Take the next task of the campaign that still needs a result and that you have not had."""
        assignment = task_claim_next(campaign_id=int(pk), worker=request.user)
        return Response(WorkAssignmentOutputSerializer(assignment).data, status=status.HTTP_201_CREATED)
