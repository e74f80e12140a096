"""Ending a session closes its live sockets: signing out, and a change to a person's password
or active flag (which ends their sessions: Django signs nobody in on them any more)."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from campaignhub import live

# The user fields a session's validity depends on (`consumers.signed_in_user_id`).
SESSION_FIELDS = ("password", "is_active")


@receiver(user_logged_out, dispatch_uid="close_live_sockets_of_signed_out_session")
def close_sockets_of_signed_out_session(sender, request=None, user=None, **kwargs):
    """Sent before the session is flushed: its key still names it, so its sockets (every tab
    of that browser) close, and the person's other sessions are not even read."""
    if user is None or request is None or request.session.session_key is None:
        return
    key = request.session.session_key
    transaction.on_commit(lambda: live.recheck_sessions(user.pk, ended=key), robust=True)


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="note_session_fields_change")
def note_session_fields_change(sender, instance, raw=False, update_fields=None, **kwargs):
    """Compare the saved row's password hash and active flag with the ones about to be saved."""
    instance._sessions_need_recheck = False
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & set(SESSION_FIELDS):
        return
    saved = sender._default_manager.filter(pk=instance.pk).values(*SESSION_FIELDS).first()
    instance._sessions_need_recheck = saved is not None and any(
        saved[field] != getattr(instance, field) for field in SESSION_FIELDS
    )


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="recheck_sessions_on_change")
def recheck_sessions_on_change(sender, instance, **kwargs):
    """Once the change is committed, every socket of the person checks its session."""
    if getattr(instance, "_sessions_need_recheck", False):
        instance._sessions_need_recheck = False
        user_id = instance.pk
        transaction.on_commit(lambda: live.recheck_sessions(user_id), robust=True)
