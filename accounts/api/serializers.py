from django.contrib.auth.models import Group, User
from rest_framework import serializers

from accounts.models import ApiToken, PermissionGrant, PermissionName


class LoginOutputSerializer(serializers.Serializer):
    access_token = serializers.CharField()
    token_type = serializers.CharField()
    expires_in = serializers.IntegerField()


class ApiTokenOutputSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username")

    class Meta:
        model = ApiToken
        fields = ["id", "user", "name", "kind", "prefix", "created_at", "expires_at", "last_used_at"]


class ApiTokenCreatedOutputSerializer(ApiTokenOutputSerializer):
    key = serializers.CharField(help_text="The token itself. It is shown only once.")

    class Meta(ApiTokenOutputSerializer.Meta):
        fields = [*ApiTokenOutputSerializer.Meta.fields, "key"]


class ApiTokenInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, help_text="Staff only: create the token for this user."
    )


class UserOutputSerializer(serializers.ModelSerializer):
    groups = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_active",
            "is_staff",
            "is_superuser",
            "date_joined",
            "last_login",
            "groups",
        ]


class UserCreateInputSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]+$", max_length=150)
    password = serializers.CharField(write_only=True, required=False, allow_blank=True, min_length=8)
    email = serializers.EmailField(required=False, allow_blank=True)
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=150, default="")
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=150, default="")
    is_active = serializers.BooleanField(required=False, default=True)
    is_staff = serializers.BooleanField(required=False, default=False, help_text="Superusers only.")
    is_superuser = serializers.BooleanField(required=False, default=False, help_text="Superusers only.")
    groups = serializers.PrimaryKeyRelatedField(queryset=Group.objects.all(), many=True, required=False)

    def validate_username(self, value):
        if User.objects.filter(username=value).exists():
            raise serializers.ValidationError("A user with that username exists.", code="duplicate-username")
        return value


class UserUpdateInputSerializer(serializers.Serializer):
    password = serializers.CharField(
        write_only=True, required=False, min_length=8, help_text="Your own needs current_password too."
    )
    current_password = serializers.CharField(
        write_only=True,
        required=False,
        trim_whitespace=False,
        help_text="Needed to change your own password.",
    )
    email = serializers.EmailField(required=False, allow_blank=True)
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    is_active = serializers.BooleanField(required=False, help_text="Staff only.")
    is_staff = serializers.BooleanField(required=False, help_text="Superusers only.")
    is_superuser = serializers.BooleanField(required=False, help_text="Superusers only.")
    groups = serializers.PrimaryKeyRelatedField(
        queryset=Group.objects.all(), many=True, required=False, help_text="Staff only."
    )


class GroupOutputSerializer(serializers.ModelSerializer):
    users = serializers.PrimaryKeyRelatedField(source="user_set", many=True, read_only=True)

    class Meta:
        model = Group
        fields = ["id", "name", "users"]


class GroupInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    users = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), many=True, required=False)


class PermissionGrantOutputSerializer(serializers.ModelSerializer):
    scope = serializers.CharField(
        source="scope_label", help_text="'*', 'project:<id>', 'campaign:<id>' or 'report:<id>'."
    )
    permission = serializers.SerializerMethodField(help_text="Seed 003 notation: '<scope>/<name>'.")
    user = serializers.SlugRelatedField(slug_field="username", read_only=True)
    group = serializers.SlugRelatedField(slug_field="name", read_only=True)

    class Meta:
        model = PermissionGrant
        fields = ["id", "permission", "name", "scope", "user", "group", "created_at"]

    def get_permission(self, grant) -> str:
        return f"{grant.scope_label}/{grant.name}"


class PermissionGrantInputSerializer(serializers.Serializer):
    name = serializers.ChoiceField(choices=PermissionName.choices)
    scope = serializers.CharField(
        default="*", help_text="'*', 'project:<id>', 'campaign:<id>' or 'report:<id>'."
    )
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)
    group = serializers.PrimaryKeyRelatedField(queryset=Group.objects.all(), required=False, allow_null=True)
