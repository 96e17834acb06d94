import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test are still
# synchronous, so its async-safety guard does not apply here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    if CHROMIUM:
        return
    if os.environ.get("CROWD_REQUIRE_BROWSER"):
        # CI sets this: there the browser tests must run, never be skipped away.
        raise pytest.UsageError("CROWD_REQUIRE_BROWSER is set but the system Chromium is missing")
    skip = pytest.mark.skip(reason="the system Chromium is missing (install Debian's chromium package)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def playwright_driver():
    """One Playwright for the whole run: its sync API keeps an event loop in this thread, and a second
    instance started while the first is alive is refused."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_driver):
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
