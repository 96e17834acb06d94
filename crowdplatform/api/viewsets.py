"""Base class for the native API's viewsets: reads come from selectors, which need the caller."""

from rest_framework import viewsets


class SelectorViewSet(viewsets.GenericViewSet):
    """``get_queryset`` delegates to ``selector_queryset()``, which receives the authenticated user.

    The schema generator calls ``get_queryset`` without a real user; it gets an empty queryset of the
    model named by ``schema_model`` so that filters and fields can still be described.
    """

    schema_model = None
    lookup_value_converter = "id"

    def selector_queryset(self):
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.schema_model.objects.none()
        return self.selector_queryset()

    def paginated(self, queryset, serializer_class, **context):
        page = self.paginate_queryset(queryset)
        data = serializer_class(page, many=True, context={"request": self.request, **context}).data
        return self.get_paginated_response(data)
