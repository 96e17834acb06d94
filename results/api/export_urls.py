from crowdplatform.api.routers import optional_slash

from .export_views import CampaignResultsCsvView, CampaignResultsJsonlView

# Optional trailing slash, as every native route (seed 003).
urlpatterns = [
    *optional_slash(
        "campaigns/<id:pk>/results.csv", CampaignResultsCsvView.as_view(), name="campaign-results-csv"
    ),
    *optional_slash(
        "campaigns/<id:pk>/results.jsonl", CampaignResultsJsonlView.as_view(), name="campaign-results-jsonl"
    ),
]
