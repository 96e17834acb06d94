from django.urls import path
from rest_framework.routers import DefaultRouter

import crowdplatform.converters  # noqa: F401  (registers the id converter)


def _unlisted(view):
    """The same view, left out of the OpenAPI schema (which describes each route once, with its slash)."""
    initkwargs = {**view.initkwargs, "schema": None}
    actions = getattr(view, "actions", None)
    return view.cls.as_view(actions, **initkwargs) if actions else view.cls.as_view(**initkwargs)


def optional_slash(route: str, view, name: str | None = None) -> list:
    """A route that answers with or without its trailing slash (seed 003).

    Two patterns, because ``path()`` routes (the ones that take converters) are literal. ``reverse()``
    gives the last one, without the slash, as the regular expressions did before.
    """
    route = route.rstrip("/")
    return [path(f"{route}/", view, name=name), path(route, _unlisted(view), name=name)]


class OptionalSlashRouter(DefaultRouter):
    """Routes answer with or without a trailing slash (seed 003); ids in them are ``<id:...>``."""

    include_format_suffixes = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, use_regex_path=False, **kwargs)
        # A viewset that names no converter looks its objects up by id.
        self._default_value_pattern = "id"

    def get_urls(self):
        urls = []
        for pattern in super().get_urls():
            urls += optional_slash(str(pattern.pattern), pattern.callback, pattern.name)
        return urls
