from functools import cache

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from crowdplatform.errors import NotFound

from .schema import NATIVE_PREFIX


@cache
def _endpoints() -> dict[str, list[str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        path: sorted(m.upper() for m in ops if m != "parameters")
        for path, ops in schema["paths"].items()
        if path.startswith(NATIVE_PREFIX)
    }


class ApiIndexView(APIView):
    """Every endpoint of the native API with its methods (seed 003: the index needs no permission)."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        responses=inline_serializer(
            "ApiIndex",
            {"endpoints": serializers.DictField(child=serializers.ListField(child=serializers.CharField()))},
        )
    )
    def get(self, request):
        return Response({"endpoints": _endpoints()})


@extend_schema(exclude=True)
class UnknownEndpointView(APIView):
    """Seed 003: a URL that is not part of the API is a 404 in the envelope, whatever the method."""

    permission_classes = [AllowAny]
    authentication_classes = []

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise NotFound("Unknown resource. Please check the URL.", code="unknown-resource")
