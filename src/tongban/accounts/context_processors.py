from tongban.accounts.access import roles_of
from tongban.accounts.roles import STAFF_ROLES


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_staff_user": False}
    return {"is_staff_user": bool(roles_of(user) & STAFF_ROLES)}
