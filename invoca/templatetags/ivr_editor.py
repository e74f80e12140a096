"""Template helpers of the IVR tree editor partial (templates/invoca/partials/_ivr_editor.html)."""

import json

from django import template

from campaignhub.cleaning import parse_json
from invoca import ivr

register = template.Library()


@register.filter
def ivr_json(value) -> str:
    """A value as JSON for a `data-` attribute (the template escapes it); "" for None."""
    if value is None:
        return ""
    try:
        return json.dumps(value)
    except (TypeError, ValueError, RecursionError):
        return ""


@register.filter
def ivr_tree_errors(errors):
    """The tree's errors as `{"ivr_tree": ...}` (see `invoca.ivr.tree_errors`), else None."""
    return ivr.tree_errors(errors)


@register.simple_tag
def ivr_editor_schema() -> str:
    """The node rules as JSON, for the editor's `data-schema`."""
    return json.dumps(ivr.editor_schema())


@register.simple_tag
def ivr_error_lines(errors, field) -> list[str]:
    """Invoca-shaped `errors` as sentences naming each node of the tree in `field` (a bound
    field whose value is the tree's JSON text)."""
    if not errors:
        return []
    tree = field.value() if field is not None else None
    if isinstance(tree, str):
        try:
            tree = parse_json(tree)
        except ValueError:
            tree = None
    return ivr.error_lines(errors, tree)
