from rest_framework.permissions import BasePermission

from .selectors import user_is_requester


class IsRequester(BasePermission):
    message = "This endpoint is for requesters."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and user_is_requester(request.user))


class IsStaff(BasePermission):
    message = "This operation needs staff."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)
