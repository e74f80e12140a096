from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        import notifications.checks  # noqa: F401 (the deploy checks register themselves)
        from campaignhub import navigation, signals, webhooks
        from notifications import webhooks as notification_webhooks
        from notifications.services import on_member_removed

        navigation.register("Notifications", "deliveries", 60)
        webhooks.register_processor("twilio_status", notification_webhooks.process_twilio_status)
        signals.member_removed.connect(
            on_member_removed, dispatch_uid="notifications.cancel_pending_for"
        )
