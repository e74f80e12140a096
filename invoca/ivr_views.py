"""The IVR tree checker page: build or paste a tree, see its errors and call flow, no campaign."""

from django import forms
from django.shortcuts import render

from campaignhub.tenancy import account_required
from invoca import ivr


class IvrCheckForm(forms.Form):
    """One IVR tree as JSON text (what the editor's textarea posts)."""

    ivr_tree = ivr.IvrTreeField(label="IVR tree")


@account_required
def ivr_checker(request):
    """GET: an empty editor. POST: the tree checked (200 when valid, 400 with the errors on
    their nodes when not). Nothing is stored or sent upstream."""
    form = IvrCheckForm(request.POST if request.method == "POST" else None)
    context = {"form": form, "checked": False, "tree": None, "ivr_errors": None}
    status = 200
    if form.is_bound:
        context["checked"] = True
        if form.is_valid():
            context["tree"] = form.cleaned_data["ivr_tree"]
        else:
            status = 400
            context["ivr_errors"] = ivr.ivr_errors(form)
            if context["ivr_errors"]:
                context["tree"] = form.fields["ivr_tree"].to_python(request.POST["ivr_tree"])
    context["flow"] = ivr.call_flow(context["tree"], request.account.country)
    context["error_lines"] = ivr.error_lines(context["ivr_errors"], context["tree"])
    return render(request, "invoca/ivr_checker.html", context, status=status)
