from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsRequester
from crowdplatform.api.fields import parse_bool
from crowdplatform.api.pagination import NativePagination
from results import decisions, review, review_selectors

from .review_serializers import (
    ApproveAllInputSerializer,
    ApproveAllOutputSerializer,
    ApproveInputSerializer,
    CampaignWorkerOutputSerializer,
    QualityInputSerializer,
    RejectInputSerializer,
    ReviewedResultOutputSerializer,
    SoftRejectInputSerializer,
    WorkerStandingOutputSerializer,
)

_errors = {
    400: OpenApiResponse(description="Invalid input (reason-required, invalid-until, invalid-quality)."),
    402: OpenApiResponse(description="The requester's balance is short (insufficient-funds)."),
    403: OpenApiResponse(description="Not a requester (forbidden), or visible without results.review."),
    404: OpenApiResponse(description="No such result, or not visible to you."),
    409: OpenApiResponse(
        description="Not allowed in the result's state (not-in-review, review-window-closed, …)."
    ),
}


def _render(request, assignment_id: int) -> Response:
    assignment = review_selectors.assignment_get_for_review(user=request.user, pk=assignment_id)
    return Response(ReviewedResultOutputSerializer(assignment).data)


class _ResultAction(APIView):
    permission_classes = [IsRequester]

    def check(self, request, pk) -> int:
        return review_selectors.assignment_get_for_review(user=request.user, pk=int(pk)).pk


@extend_schema(
    tags=["review"],
    request=ApproveInputSerializer,
    responses={200: ReviewedResultOutputSerializer, **_errors},
)
class ResultApproveView(_ResultAction):
    def post(self, request, pk):
        """Approve a result and pay the worker, with optional feedback (approving again changes nothing)."""
        pk = self.check(request, pk)
        data = ApproveInputSerializer(data=request.data or {})
        data.is_valid(raise_exception=True)
        decisions.assignment_approve(
            assignment_id=pk, reviewer=request.user, feedback=data.validated_data.get("feedback", "")
        )
        return _render(request, pk)


@extend_schema(
    tags=["review"], request=RejectInputSerializer, responses={200: ReviewedResultOutputSerializer, **_errors}
)
class ResultRejectView(_ResultAction):
    def post(self, request, pk):
        """Reject a result in review: the reason is shown to the worker; the task's slot reopens."""
        pk = self.check(request, pk)
        data = RejectInputSerializer(data=request.data or {})
        data.is_valid(raise_exception=True)
        decisions.assignment_reject(
            assignment_id=pk, reviewer=request.user, reason=data.validated_data.get("reason", "")
        )
        return _render(request, pk)


@extend_schema(
    tags=["review"],
    request=SoftRejectInputSerializer,
    responses={200: ReviewedResultOutputSerializer, **_errors},
)
class ResultSoftRejectView(_ResultAction):
    def post(self, request, pk):
        """Ask the worker to redo the result before ``until``; no effect on their reputation."""
        pk = self.check(request, pk)
        data = SoftRejectInputSerializer(data=request.data or {})
        data.is_valid(raise_exception=True)
        decisions.assignment_soft_reject(
            assignment_id=pk,
            reviewer=request.user,
            reason=data.validated_data.get("reason", ""),
            until=data.validated_data["until"],
        )
        return _render(request, pk)


@extend_schema(tags=["review"], request=None, responses={200: ReviewedResultOutputSerializer, **_errors})
class ResultOverturnView(_ResultAction):
    def post(self, request, pk):
        """Turn a recent rejection into an approval, paying the worker."""
        decisions.assignment_overturn(assignment_id=self.check(request, pk), reviewer=request.user)
        return _render(request, pk)


@extend_schema(
    tags=["review"],
    request=QualityInputSerializer,
    responses={200: ReviewedResultOutputSerializer, **_errors},
)
class ResultQualityView(_ResultAction):
    def post(self, request, pk):
        """Set the quality score (0–100) of a result."""
        pk = self.check(request, pk)
        data = QualityInputSerializer(data=request.data or {})
        data.is_valid(raise_exception=True)
        decisions.assignment_quality_set(
            assignment_id=pk, quality=data.validated_data["quality"], by=request.user
        )
        return _render(request, pk)


@extend_schema(
    tags=["review"], request=ApproveAllInputSerializer, responses={200: ApproveAllOutputSerializer, **_errors}
)
class CampaignApproveAllView(APIView):
    permission_classes = [IsRequester]

    def post(self, request, pk):
        """Approve every result in review in the campaign, or only those of one worker."""
        campaign = review_selectors.campaign_get_for_review(user=request.user, pk=int(pk))
        data = ApproveAllInputSerializer(data=request.data or {})
        data.is_valid(raise_exception=True)
        worker = None
        if data.validated_data.get("worker") is not None:
            worker = review_selectors.campaign_worker_get(campaign=campaign, pk=data.validated_data["worker"])
        approved = review.results_approve_all(campaign=campaign, reviewer=request.user, worker=worker)
        return Response({"approved": approved})


@extend_schema(tags=["review"], responses=WorkerStandingOutputSerializer(many=True))
class WorkerStandingListView(APIView):
    permission_classes = [IsRequester]
    # Declared on the view (an APIView has none by default) so that the schema shows the paginated page.
    pagination_class = NativePagination

    def get(self, request):
        """Workers who worked on your campaigns: reputation and experience with you ("me") and overall."""
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            review_selectors.worker_standing_list(user=request.user), request, view=self
        )
        return paginator.get_paginated_response([review_selectors.standing(w) for w in page])


@extend_schema(
    tags=["review"],
    parameters=[OpenApiParameter("in_review", bool, description="Only workers with results in review.")],
    responses=CampaignWorkerOutputSerializer(many=True),
)
class CampaignWorkerListView(APIView):
    permission_classes = [IsRequester]
    # Declared on the view (an APIView has none by default) so that the schema shows the paginated page.
    pagination_class = NativePagination

    def get(self, request, pk):
        """Workers of one campaign with their in-review, approved and rejected counts there."""
        campaign = review_selectors.campaign_get_for_review(user=request.user, pk=int(pk))
        in_review = parse_bool(request.query_params.get("in_review"), field="in_review", default=False)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            review_selectors.worker_standing_list(user=request.user, campaign=campaign, in_review=in_review),
            request,
            view=self,
        )
        return paginator.get_paginated_response([review_selectors.standing(w) for w in page])
