from django.conf import settings
from django.contrib.auth.models import Group, User
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authentication import get_authorization_header
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import lockout, selectors, services
from accounts.models import ApiToken, PermissionGrant
from accounts.permissions import IsStaff
from crowdplatform.api.viewsets import SelectorViewSet

from .filters import ApiTokenFilter, PermissionGrantFilter, UserFilter
from .serializers import (
    ApiTokenCreatedOutputSerializer,
    ApiTokenInputSerializer,
    ApiTokenOutputSerializer,
    GroupInputSerializer,
    GroupOutputSerializer,
    LoginOutputSerializer,
    PermissionGrantInputSerializer,
    PermissionGrantOutputSerializer,
    UserCreateInputSerializer,
    UserOutputSerializer,
    UserUpdateInputSerializer,
)


class LoginView(APIView):
    """Seed 003 login: ``Authorization: token <API token>`` → a short-lived bearer token, not enveloped."""

    # The credential is read here, not by the authentication classes, so a bad one is a counted failure.
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["auth"],
        request=None,
        parameters=[
            OpenApiParameter(
                "Authorization",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description="`token <API token>`",
            )
        ],
        responses={
            200: LoginOutputSerializer,
            401: OpenApiResponse(description="The token is missing or not valid."),
            429: OpenApiResponse(description="Too many failed logins from this address."),
        },
        auth=[],
    )
    def post(self, request):
        parts = get_authorization_header(request).decode(errors="replace").split()
        credential = parts[1] if len(parts) == 2 and parts[0].lower() == "token" else None
        # REMOTE_ADDR, not X-Forwarded-For: a client could choose the latter to dodge the throttle.
        token, key = services.login_exchange(
            credential=credential, client_ip=request.META.get("REMOTE_ADDR", "")
        )
        response = Response(
            {
                "access_token": key,
                "token_type": "bearer",
                "expires_in": int(settings.CROWD_LOGIN_TOKEN_TTL.total_seconds()),
            }
        )
        response.raw = True
        return response


@extend_schema(tags=["tokens"])
class ApiTokenViewSet(SelectorViewSet):
    permission_classes = [IsAuthenticated]
    schema_model = ApiToken
    filterset_class = ApiTokenFilter

    def selector_queryset(self):
        owner = self.request.query_params.get("user")
        return selectors.api_token_list(
            user=self.request.user, owner_id=int(owner) if owner and owner.isdigit() else None
        )

    @extend_schema(
        responses=ApiTokenOutputSerializer(many=True),
        parameters=[OpenApiParameter("user", int, description="Staff only: the tokens of this user.")],
    )
    def list(self, request):
        return self.paginated(self.filter_queryset(self.get_queryset()), ApiTokenOutputSerializer)

    @extend_schema(request=ApiTokenInputSerializer, responses={201: ApiTokenCreatedOutputSerializer})
    def create(self, request):
        data = ApiTokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, key = services.api_token_create(
            by=request.user,
            user=data.validated_data.get("user", request.user),
            name=data.validated_data["name"],
            expires_at=data.validated_data["expires_at"],
        )
        token.key = key
        return Response(ApiTokenCreatedOutputSerializer(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ApiTokenOutputSerializer)
    def retrieve(self, request, pk=None):
        return Response(ApiTokenOutputSerializer(selectors.api_token_get(user=request.user, pk=pk)).data)

    # 200 with a body (drf-spectacular's default for a DELETE is an empty 204).
    @extend_schema(responses={200: ApiTokenOutputSerializer})
    def destroy(self, request, pk=None):
        """Revoke the token; the answer shows what was revoked."""
        token = selectors.api_token_get(user=request.user, pk=pk)
        data = ApiTokenOutputSerializer(token).data
        services.api_token_revoke(token=token, by=request.user)
        return Response(data)


@extend_schema(tags=["users"])
class UserViewSet(SelectorViewSet):
    """Staff see every account; who may change which is ``accounts.policies``' rule."""

    permission_classes = [IsAuthenticated]
    schema_model = User
    filterset_class = UserFilter

    def get_permissions(self):
        if self.action == "create":
            return [IsStaff()]
        return super().get_permissions()

    def selector_queryset(self):
        return selectors.user_list(user=self.request.user)

    @extend_schema(responses=UserOutputSerializer(many=True))
    def list(self, request):
        return self.paginated(self.filter_queryset(self.get_queryset()), UserOutputSerializer)

    @extend_schema(request=UserCreateInputSerializer, responses={201: UserOutputSerializer})
    def create(self, request):
        data = UserCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_create(by=request.user, **data.validated_data)
        return Response(UserOutputSerializer(user).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=UserOutputSerializer)
    def retrieve(self, request, pk=None):
        return Response(UserOutputSerializer(selectors.user_get(user=request.user, pk=pk)).data)

    @extend_schema(
        request=UserUpdateInputSerializer,
        responses={
            200: UserOutputSerializer,
            429: OpenApiResponse(description="Too many wrong current passwords for this account or address."),
        },
    )
    def partial_update(self, request, pk=None):
        user = selectors.user_get(user=request.user, pk=pk)
        data = UserUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        with lockout.own_password_change_attempt(request=request, user=user, changes=data.validated_data):
            user = services.user_update(by=request.user, user=user, **data.validated_data)
        return Response(UserOutputSerializer(selectors.user_get(user=request.user, pk=user.pk)).data)


@extend_schema(tags=["users"])
class GroupViewSet(SelectorViewSet):
    """Everyone sees the groups they belong to; only staff see all and change them."""

    permission_classes = [IsAuthenticated]
    schema_model = Group

    def get_permissions(self):
        if self.action in ("create", "partial_update"):
            return [IsStaff()]
        return super().get_permissions()

    def selector_queryset(self):
        return selectors.group_list(user=self.request.user)

    @extend_schema(responses=GroupOutputSerializer(many=True))
    def list(self, request):
        return self.paginated(self.get_queryset(), GroupOutputSerializer)

    @extend_schema(request=GroupInputSerializer, responses={201: GroupOutputSerializer})
    def create(self, request):
        data = GroupInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        group = services.group_create(by=request.user, **data.validated_data)
        return Response(
            GroupOutputSerializer(selectors.group_get(user=request.user, pk=group.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses=GroupOutputSerializer)
    def retrieve(self, request, pk=None):
        return Response(GroupOutputSerializer(selectors.group_get(user=request.user, pk=pk)).data)

    @extend_schema(request=GroupInputSerializer(partial=True), responses=GroupOutputSerializer)
    def partial_update(self, request, pk=None):
        group = selectors.group_get(user=request.user, pk=pk)
        data = GroupInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.group_update(by=request.user, group=group, **data.validated_data)
        return Response(GroupOutputSerializer(selectors.group_get(user=request.user, pk=pk)).data)


@extend_schema(tags=["permissions"])
class PermissionGrantViewSet(SelectorViewSet):
    """Seed 003 scoped permissions: a name granted at ``*``, ``project:<id>`` or ``campaign:<id>``."""

    permission_classes = [IsStaff]
    schema_model = PermissionGrant
    filterset_class = PermissionGrantFilter

    def selector_queryset(self):
        return selectors.permission_grant_list()

    @extend_schema(responses=PermissionGrantOutputSerializer(many=True))
    def list(self, request):
        return self.paginated(self.filter_queryset(self.get_queryset()), PermissionGrantOutputSerializer)

    @extend_schema(request=PermissionGrantInputSerializer, responses={201: PermissionGrantOutputSerializer})
    def create(self, request):
        data = PermissionGrantInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        grant = services.permission_grant_scoped(**data.validated_data)
        return Response(PermissionGrantOutputSerializer(grant).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=PermissionGrantOutputSerializer)
    def retrieve(self, request, pk=None):
        return Response(PermissionGrantOutputSerializer(selectors.permission_grant_get(pk=pk)).data)

    @extend_schema(responses=PermissionGrantOutputSerializer)
    def destroy(self, request, pk=None):
        """Revoke the grant; the answer shows what was revoked."""
        grant = selectors.permission_grant_get(pk=pk)
        data = PermissionGrantOutputSerializer(grant).data
        services.permission_revoke(grant=grant)
        return Response(data)
