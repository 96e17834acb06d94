"""What ``OPTIONS`` answers on every API route."""

from rest_framework.metadata import SimpleMetadata


class RouteMetadata(SimpleMetadata):
    """The route's name, description, renderers and parsers.

    DRF's default also describes the fields a ``POST`` or ``PUT`` takes, from the view's one serializer
    class; these views parse each action with its own input serializer (and the schema at ``/api/v1/schema/``
    and ``/api/schema/`` describes them all), so that part is left out rather than guessed.
    """

    def determine_actions(self, request, view):
        return {}

    def determine_metadata(self, request, view):
        metadata = super().determine_metadata(request, view)
        metadata.pop("actions", None)
        return metadata
