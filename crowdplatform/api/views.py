from functools import cache

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


@cache
def _endpoints() -> dict[str, list[str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        path: sorted(m.upper() for m in ops if m != "parameters") for path, ops in schema["paths"].items()
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
