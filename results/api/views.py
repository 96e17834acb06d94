from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.permissions import IsRequester
from crowdplatform.api.viewsets import SelectorViewSet
from results import selectors, services
from results.models import Assignment

from .filters import AssignmentFilter, WorkAssignmentFilter
from .serializers import AnswersInputSerializer, AssignmentOutputSerializer, WorkAssignmentOutputSerializer

_not_open = OpenApiResponse(description="The assignment is no longer open (expired, submitted, returned...).")


@extend_schema(tags=["assignments"])
class AssignmentViewSet(SelectorViewSet):
    """Assignments in the campaigns whose results the caller may read."""

    permission_classes = [IsRequester]
    schema_model = Assignment
    filterset_class = AssignmentFilter

    def selector_queryset(self):
        return selectors.assignment_list_for_requester(user=self.request.user)

    @extend_schema(responses=AssignmentOutputSerializer(many=True))
    def list(self, request):
        return self.paginated(self.filter_queryset(self.get_queryset()), AssignmentOutputSerializer)

    @extend_schema(responses=AssignmentOutputSerializer)
    def retrieve(self, request, pk=None):
        assignment = selectors.assignment_get_for_requester(user=request.user, pk=pk)
        return Response(AssignmentOutputSerializer(assignment).data)


@extend_schema(tags=["work"])
class WorkAssignmentViewSet(SelectorViewSet):
    """The caller's own assignments as a worker: see them, submit, skip or return them."""

    permission_classes = [IsAuthenticated]
    schema_model = Assignment
    filterset_class = WorkAssignmentFilter

    def selector_queryset(self):
        return selectors.assignment_list_for_worker(user=self.request.user)

    def _render(self, pk):
        return Response(
            WorkAssignmentOutputSerializer(
                selectors.assignment_get_for_worker(user=self.request.user, pk=pk)
            ).data
        )

    @extend_schema(responses=WorkAssignmentOutputSerializer(many=True))
    def list(self, request):
        return self.paginated(self.filter_queryset(self.get_queryset()), WorkAssignmentOutputSerializer)

    @extend_schema(responses=WorkAssignmentOutputSerializer)
    def retrieve(self, request, pk=None):
        return self._render(pk)

    @extend_schema(
        request=AnswersInputSerializer, responses={200: WorkAssignmentOutputSerializer, 409: _not_open}
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit answers for your open assignment (or redo soft-rejected work before its deadline)."""
        data = AnswersInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = services.assignment_submit(
            assignment_id=int(pk), worker=request.user, answers=data.validated_data["answers"]
        )
        return Response(WorkAssignmentOutputSerializer(assignment).data)

    @extend_schema(request=None, responses={200: WorkAssignmentOutputSerializer, 409: _not_open})
    @action(detail=True, methods=["post"])
    def skip(self, request, pk=None):
        """Put the task aside: it is offered to you again after every other task."""
        services.assignment_skip(assignment_id=int(pk), worker=request.user)
        return self._render(pk)

    @extend_schema(request=None, responses={200: WorkAssignmentOutputSerializer, 409: _not_open})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_task(self, request, pk=None):
        """Give the task back for someone else; it is not offered to you again."""
        services.assignment_return(assignment_id=int(pk), worker=request.user)
        return self._render(pk)
