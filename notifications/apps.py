from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        from campaignhub import navigation, webhooks
        from notifications import webhooks as notification_webhooks

        navigation.register("Notifications", "deliveries", 60)
        webhooks.register_processor("twilio_status", notification_webhooks.process_twilio_status)
