from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.views import APIView

from accounts.models import PermissionName
from accounts.permissions import IsRequester
from campaigns.selectors import campaign_get_for_requester
from crowdplatform.api.renderers import EnvelopeRenderer
from crowdplatform.streaming import streaming_attachment
from results.exports import results_csv_lines, results_jsonl_lines


class _ExportView(APIView):
    """A streamed file, not an enveloped payload; errors still come in the envelope as JSON."""

    permission_classes = [IsRequester]

    def perform_content_negotiation(self, request, force=False):
        # Clients ask for text/csv or JSON Lines; the body is never rendered by DRF, so any Accept is fine
        # and errors are rendered as the usual JSON envelope.
        return EnvelopeRenderer(), EnvelopeRenderer.media_type


@extend_schema(tags=["results"])
class CampaignResultsCsvView(_ExportView):
    @extend_schema(
        operation_id="campaign_results_csv",
        summary="Results as CSV",
        description=(
            "One row per submitted assignment: ids, task position, worker, state, ISO 8601 times, quality, "
            "`input.<key>` and `answer.<key>` columns; several values of one answer are joined with `|`. "
            "Cells starting with `=`, `+`, `-`, `@`, a tab or a carriage return are prefixed with `'`."
        ),
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV file"),
            403: None,
            404: None,
        },
    )
    def get(self, request, pk: int):
        campaign = campaign_get_for_requester(
            user=request.user, pk=pk, permission=PermissionName.RESULTS_READ
        )
        return streaming_attachment(
            results_csv_lines(campaign),
            filename=f"campaign-{campaign.pk}-results.csv",
            content_type="text/csv; charset=utf-8",
        )


@extend_schema(tags=["results"])
class CampaignResultsJsonlView(_ExportView):
    @extend_schema(
        operation_id="campaign_results_jsonl",
        summary="Results as JSON Lines",
        description=(
            "One JSON object per line and per submitted assignment, with the task `input` and the `answers` "
            "as objects (several values of one answer as a list)."
        ),
        responses={
            (200, "application/jsonl"): OpenApiResponse(OpenApiTypes.STR, description="JSON Lines file"),
            403: None,
            404: None,
        },
    )
    def get(self, request, pk: int):
        campaign = campaign_get_for_requester(
            user=request.user, pk=pk, permission=PermissionName.RESULTS_READ
        )
        return streaming_attachment(
            results_jsonl_lines(campaign),
            filename=f"campaign-{campaign.pk}-results.jsonl",
            content_type="application/jsonl; charset=utf-8",
        )
