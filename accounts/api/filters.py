import django_filters
from django.contrib.auth.models import User

from accounts.models import ApiToken, PermissionGrant, PermissionName
from crowdplatform.api.filters import BooleanFilter, IdFilter


class ApiTokenFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ApiToken.Kind.choices)

    class Meta:
        model = ApiToken
        fields = ["kind"]


class UserFilter(django_filters.FilterSet):
    username = django_filters.CharFilter()
    is_active = BooleanFilter()
    is_staff = BooleanFilter()

    class Meta:
        model = User
        fields = ["username", "is_active", "is_staff"]


class PermissionGrantFilter(django_filters.FilterSet):
    name = django_filters.ChoiceFilter(choices=PermissionName.choices)
    user = IdFilter(field_name="user_id")
    group = IdFilter(field_name="group_id")

    class Meta:
        model = PermissionGrant
        fields = ["name", "user", "group"]
