"""Seed 003's report routes; every one answers with or without a trailing slash."""

from django.urls import re_path

from . import views

NAME = r"(?P<name>[A-Za-z0-9_-]{1,100})"
KEY = r"(?P<key>[a-z]+_[a-z]+[0-9_]*)"
VERSION = r"(?P<version>[0-9]{8}-[0-9]{6}-[0-9a-f]{8})"
FILE = r"(?P<filename>[^\x00-\x1f]{1,200}?)"
BASE = rf"^reports/{NAME}/versions/{VERSION}"

urlpatterns = [
    re_path(r"^reports/?$", views.ReportListView.as_view(), name="reports"),
    re_path(r"^queue/status/?$", views.QueueStatusView.as_view(), name="reports-queue"),
    re_path(r"^versions/?$", views.VersionListView.as_view(), name="reports-versions-all"),
    re_path(rf"^reports/{KEY}/status/?$", views.RunStatusView.as_view(), name="reports-run-status"),
    re_path(rf"^reports/{KEY}/kill/?$", views.RunKillView.as_view(), name="reports-run-kill"),
    re_path(rf"^reports/{NAME}/run/?$", views.ReportRunView.as_view(), name="reports-run"),
    re_path(
        rf"^reports/{NAME}/latest/changelog/?$",
        views.LatestChangelogView.as_view(),
        name="reports-latest-changelog",
    ),
    re_path(rf"^reports/{NAME}/?$", views.ReportVersionIdsView.as_view(), name="reports-version-ids"),
    re_path(rf"{BASE}/?$", views.VersionDetailView.as_view(), name="reports-version"),
    re_path(rf"{BASE}/artefacts/?$", views.ArtefactListView.as_view(), name="reports-artefacts"),
    re_path(rf"{BASE}/artefacts/{FILE}/?$", views.ArtefactDownloadView.as_view(), name="reports-artefact"),
    re_path(rf"{BASE}/resources/?$", views.ResourceListView.as_view(), name="reports-resources"),
    re_path(rf"{BASE}/resources/{FILE}/?$", views.ResourceDownloadView.as_view(), name="reports-resource"),
    re_path(rf"{BASE}/data/?$", views.DataListView.as_view(), name="reports-data"),
    re_path(
        rf"{BASE}/data/(?P<data>[A-Za-z0-9_.-]{{1,100}})/?$",
        views.DataDownloadView.as_view(),
        name="reports-data-file",
    ),
    re_path(rf"{BASE}/all/?$", views.VersionZipView.as_view(), name="reports-all"),
    re_path(rf"{BASE}/changelog/?$", views.ChangelogView.as_view(), name="reports-changelog"),
    re_path(rf"{BASE}/publish/?$", views.PublishView.as_view(), name="reports-publish"),
    re_path(rf"^bundle/pack/{NAME}/?$", views.BundlePackView.as_view(), name="reports-bundle-pack"),
    re_path(r"^bundle/import/?$", views.BundleImportView.as_view(), name="reports-bundle-import"),
]
