"""JSON views of the platform under /v1/."""

from django.core.exceptions import ValidationError

from campaignhub import selectors, services
from campaignhub.api import (
    CURSOR_KEYS,
    ApiProblem,
    api_view,
    ok,
    page_or_cursor,
    refuse_unknown_query,
    validated,
)
from campaignhub.forms import AddMemberForm, RoleForm
from campaignhub.models import Membership, Role
from campaignhub.schemas import MemberBody, RoleBody
from campaignhub.tenancy import get_for_account_or_404


@api_view("GET")
def me(request):
    return ok(
        {
            "user": {"id": request.user.pk, "email": request.user.email, "name": request.user.name},
            # The currency of every revenue and deal value, the zone reports' days are in.
            "account": {
                "id": request.account.pk,
                "name": request.account.name,
                "currency": request.account.currency,
                "timezone": request.account.timezone,
            },
            "role": request.membership.role,
        }
    )


def member_data(membership):
    """A member as admins see it: `id` is the membership's (what `/v1/members/<id>` takes),
    `user_id` the person's (what every field naming a person takes: a campaign's `owner` and
    `selected_user[].id`, a deal's `owner`, `/v1/deals?owner=`)."""
    return {
        "id": membership.pk,
        "user_id": membership.user_id,
        "email": membership.user.email,
        "name": membership.user.name,
        "role": membership.role,
        "joined_at": membership.created_at,
    }


def invitation_data(invitation):
    """An invitation as its account's admins see it: the email as they typed it, no profile;
    `invited_by` is the admin who sent it (`{"id", "email", "name"}`, null when unknown) and
    `expires_at` when it can no longer be accepted."""
    sender = invitation.invited_by
    return {
        "id": invitation.pk,
        "email": invitation.email,
        "role": invitation.role,
        "status": invitation.status,
        "created_at": invitation.created_at,
        "expires_at": invitation.expires_at,
        "invited_by": (
            {"id": sender.pk, "email": sender.email, "name": sender.name} if sender else None
        ),
    }


def removal_data(removal):
    """What a removal did, as `DELETE /v1/members/<id>` answers it (`services.MemberRemoved`):
    `handed_over`, what passed from the person to the admin calling (`[{"noun": "campaign",
    "count": 3}]`, empty when they owned nothing); `invitations_cancelled`, the open
    invitations they had sent; `notes`, the sentences the Members page adds to its message
    (campaigns left with no representative, leads passed on, leads that stay with them), in
    its order, empty when there is nothing to tell."""
    return {
        "handed_over": [{"noun": part.noun, "count": part.count} for part in removal.handed_over],
        "invitations_cancelled": removal.invitations_cancelled,
        "notes": list(removal.notes),
    }


def _rule_problem(exc):
    """A members rule refused the change (the last admin): 409, as the page says it."""
    return ApiProblem(409, exc.messages[0])


@api_view("GET", "POST", admin=True, body={"POST": MemberBody})
def members(request):
    """`GET`: the account's members, paginated. `POST {"email", "name", "role"}` (role
    `member` unless given): add someone new (201, `status: added`, `member`) or invite someone
    who has a login (201, `status: invited`, `invitation`); 429 past the invitation limit."""
    if request.method == "GET":
        refuse_unknown_query(request, CURSOR_KEYS)
        rows, extra = page_or_cursor(request, selectors.members(request.account))
        return ok([member_data(row) for row in rows], **extra)
    form = validated(AddMemberForm, {"role": Role.MEMBER, **request.data})
    if services.invitation_rate_exceeded(request, account=request.account):
        raise ApiProblem(429, "Too many people added in a minute.", headers={"Retry-After": "60"})
    try:
        added = services.add_new_member(
            account=request.account, invited_by=request.user, **form.cleaned_data
        )
    except ValidationError as exc:
        errors = dict(exc.message_dict) if hasattr(exc, "error_dict") else None
        raise ApiProblem(400, exc.messages[0], errors) from None
    if added.invitation is not None:
        data = {"status": "invited", "invitation": invitation_data(added.invitation)}
    else:
        data = {"status": "added", "member": member_data(added.membership)}
    return ok(data, status=201)


@api_view("GET", "PATCH", "DELETE", admin=True, body={"PATCH": RoleBody})
def member(request, membership_id):
    """One member: `GET`, `PATCH {"role"}`, `DELETE` (removal with all their access, answering
    what it did as the Members page says it: `removal_data`); the last admin can be neither
    demoted nor removed (409), and someone removed meanwhile is a 404."""
    found = get_for_account_or_404(
        Membership.objects.select_related("user"),
        request.account,
        "Member not found",
        pk=membership_id,
    )
    if request.method == "PATCH":
        form = validated(RoleForm, request.data)
        try:
            services.change_role(membership=found, role=form.cleaned_data["role"])
        except ValidationError as exc:
            raise _rule_problem(exc) from None
    elif request.method == "DELETE":
        try:
            removal = services.remove_member(membership=found, removed_by=request.user)
        except services.NoLongerAMember:
            # Removed by a request at the same moment: as a DELETE a moment later answers.
            raise ApiProblem(404, "Member not found") from None
        except ValidationError as exc:
            raise _rule_problem(exc) from None
        return ok(removal_data(removal))
    return ok(member_data(found))
