"""JSON views of the platform under /v1/."""

from campaignhub.api import api_view, ok


@api_view("GET")
def me(request):
    return ok(
        {
            "user": {"id": request.user.pk, "email": request.user.email, "name": request.user.name},
            "account": {"id": request.account.pk, "name": request.account.name},
            "role": request.membership.role,
        }
    )
