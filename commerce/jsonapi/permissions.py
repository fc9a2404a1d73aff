"""Every API request needs a valid token; what each kind may do is declared per resource."""

from rest_framework.permissions import BasePermission

from commerce.auth.context import TokenContext


class ResourcePermission(BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, TokenContext)
