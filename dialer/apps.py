from django.apps import AppConfig


class DialerConfig(AppConfig):
    name = "dialer"
    verbose_name = "Dialer"

    def ready(self):
        from django.db.models.signals import post_save

        from campaignhub import inbound, navigation, signals
        from campaignhub.webhooks import register_processor
        from campaigns import sources
        from campaigns.models import Campaign, Integration
        from dialer import selectors, services, webhooks
        from dialer.models import EventKind

        navigation.register("Dialer", "dialer_home", 40)
        register_processor(webhooks.SOURCE, webhooks.process, label="Dialer")
        inbound.register_event_labels(webhooks.SOURCE, EventKind.choices)
        sources.register_source(Integration.DIALER)
        sources.register_feeders(Integration.DIALER, selectors.feeders, hint=selectors.feed_hint)
        post_save.connect(
            services.on_inbound_campaign_saved,
            sender=Campaign,
            dispatch_uid="dialer.capture_held_calls",
        )
        signals.member_removed.connect(
            services.on_member_removed, dispatch_uid="dialer.withdraw_agent"
        )
