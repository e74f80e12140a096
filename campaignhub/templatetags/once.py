"""`{% submission_id %}` and `{% send_action %}`: what a create page's form carries for
`once.creates_once`."""

from django import template
from django.utils.html import format_html

from campaignhub import once

register = template.Library()


@register.simple_tag(takes_context=True)
def submission_id(context):
    """`<input type="hidden" name="submission_id" value="<UUID>">`: new each time the page is
    drawn, the same when it is drawn again after a refusal (`once.page_id`)."""
    return format_html(
        '<input type="hidden" name="{}" value="{}">', once.FIELD, once.page_id(context.request)
    )


@register.simple_tag
def send_action():
    """The form's `action` (`once.SEND_ACTION`)."""
    return once.SEND_ACTION
