"""How a form field's help text and errors are tied to its input for assistive technology.

One rule for every form, the same ids Django 5.2 itself uses (`BoundField.aria_describedby`):
a field's help text is the element `<input id>_helptext`, its errors are the element
`<input id>_error`, and an input with errors is `aria-invalid="true"` and names the error element
(after its help text) in `aria-describedby`. Fields a `Form` draws (`{{ field }}`, the shared
`form_fields.html`) get the attributes from Django; hand-written inputs ask `{% describedby %}`.
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def describedby(field_id, errors=None, help_id="", shared_error=""):
    """The attributes of the input `field_id`: ` aria-invalid="true"` when it has `errors` or
    a `shared_error`, and ` aria-describedby="<help_id> <shared_error> <field_id>_error"` naming
    its help text (`help_id`, an id the page draws), an error it shares with other inputs (the
    id of that error's element, e.g. a form's "Leave a phone number or an email address." for
    Phone and Email) and its own errors, whichever there are; "" when none."""
    own = f"{field_id}_error" if errors else ""
    described = [name for name in (help_id, shared_error, own) if name]
    invalid = mark_safe(' aria-invalid="true"') if errors or shared_error else ""
    if not described:
        return invalid
    return format_html('{} aria-describedby="{}"', invalid, " ".join(described))


@register.simple_tag
def field_errors(field_id, errors):
    """The `errors` (messages) of the input `field_id` in the element its aria-describedby
    names: `<div class="errors" id="<field_id>_error">` holding one `<small class="error">`
    per message; "" without errors."""
    if not errors:
        return ""
    messages = format_html_join("", '<small class="error">{}</small>', ((e,) for e in errors))
    if not field_id:
        return format_html('<div class="errors">{}</div>', messages)
    return format_html('<div class="errors" id="{}_error">{}</div>', field_id, messages)


@register.inclusion_tag("error_summary.html")
def error_summary(items, title="Please fix the highlighted fields."):
    """The block above a form that a failed submit reloads: `title` and one link per error to
    its input (`items`: dicts {"id": the input's id or "" when the error has no single input,
    "label", "message"}). It takes focus when the page loads (autofocus), so a keyboard or
    screen-reader user hears what to fix and can go to each field."""
    return {"items": items, "title": title}


@register.filter
def summary_items(form):
    """A Django form's errors as `error_summary` items: its own (non-field) errors first, then
    each field's in the form's order, linked to the field's input. A form whose own errors
    concern a field first (`summary_anchor`, a field name: a lead's missing phone or email)
    links them to that field's input."""
    anchor_field = getattr(form, "summary_anchor", "")
    own_anchor = form[anchor_field].auto_id if anchor_field else ""
    items = [{"id": own_anchor, "label": "", "message": e} for e in form.non_field_errors()]
    for field in form:
        for error in field.errors:
            anchor = "" if field.is_hidden else field.auto_id or ""
            items.append({"id": anchor, "label": field.label, "message": error})
    return items
