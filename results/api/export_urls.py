from django.urls import re_path

from .export_views import CampaignResultsCsvView, CampaignResultsJsonlView

# Optional trailing slash, as every native route (seed 003).
urlpatterns = [
    re_path(
        r"^campaigns/(?P<pk>[0-9]+)/results\.csv/?$",
        CampaignResultsCsvView.as_view(),
        name="campaign-results-csv",
    ),
    re_path(
        r"^campaigns/(?P<pk>[0-9]+)/results\.jsonl/?$",
        CampaignResultsJsonlView.as_view(),
        name="campaign-results-jsonl",
    ),
]
