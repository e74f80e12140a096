"""A URLconf of small views that exercise the API conventions (used with pytest.mark.urls)."""

from django import forms
from django.urls import include, path

from campaignhub.api import api_view, ok, page_or_cursor, validated
from campaignhub.models import ApiToken, Membership
from campaignhub.schemas import Integer, JsonBody, Text
from campaignhub.tenancy import get_for_account_or_404


class NoteForm(forms.Form):
    title = forms.CharField(max_length=20)
    count = forms.IntegerField(min_value=1, required=False)


class NoteBody(JsonBody):
    title: Text = None
    count: Integer | None = None


@api_view("POST", body=NoteBody)
def echo(request):
    form = validated(NoteForm, request.data)
    return ok(form.cleaned_data, status=201)


@api_view("GET")
def member_list(request):
    rows, extra = page_or_cursor(request, Membership.objects.for_account(request.account))
    return ok([row.user.email for row in rows], **extra)


@api_view("GET", "DELETE")
def token_detail(request, token_id):
    token = get_for_account_or_404(ApiToken, request.account, "Token not found", pk=token_id)
    return ok({"id": token.pk, "name": token.name})


@api_view("GET", admin=True)
def admins_only(request):
    return ok("secret")


urlpatterns = [
    path("v1/echo", echo),
    path("v1/members", member_list),
    path("v1/tokens/<int:token_id>", token_detail),
    path("v1/admins-only", admins_only),
    path("", include("campaignhub.urls")),
]
