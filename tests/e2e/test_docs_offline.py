"""The API docs pages in a real browser with no way out to the internet: everything they need is served by the
platform itself, so they render their operations offline."""

from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}


@pytest.fixture
def offline_page(page):
    """The browser page with every request to a host other than this machine refused; the refused URLs."""
    refused: list[str] = []

    def only_local(route):
        url = route.request.url
        if urlsplit(url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            refused.append(url)
            route.abort("internetdisconnected")

    page.route("**/*", only_local)
    page.refused = refused
    return page


@pytest.mark.parametrize(
    "docs, operation",
    [
        ("/api/v1/docs/", "/api/v1/work/campaigns/{id}/claim/"),
        ("/api/docs/", "/api/batches/{id}/progress/"),
        ("/swarms/docs/", "/campaigns/{id}/publish"),
    ],
)
def test_the_api_docs_page_renders_its_operations_offline(live_server, offline_page, docs, operation):
    # when the docs page is opened with the network to the outside blocked
    offline_page.goto(f"{live_server.url}{docs}")
    # then Swagger UI shows the surface's operations, and the page asked nothing of any other host
    # (generous wait: the page first fetches the schema, which the server generates on the spot)
    listed = offline_page.locator(".opblock-summary-path", has_text=operation).first
    listed.wait_for(state="visible", timeout=60_000)
    assert offline_page.locator(".opblock").count() > 10
    assert offline_page.refused == []
