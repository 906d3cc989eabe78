"""View decorators for access rules: the pages of every app use these, so the rule of who
reaches a staff page lives with the roles it reads, not in the workbench that lists them."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from tongban.accounts.access import can
from tongban.accounts.roles import Action


def staff_required(view):
    """Logged in and holding a staff role; anything finer is the service's to check."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can(request.user, Action.WORKBENCH):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
