from django.apps import AppConfig


class CallRailConfig(AppConfig):
    name = "callrail"
    verbose_name = "CallRail"

    def ready(self):
        from callrail import checks, receivers, selectors, webhooks  # noqa: F401 (receivers)
        from campaignhub import navigation
        from campaignhub.webhooks import register_processor
        from campaigns import pickers, sources
        from campaigns.models import Integration

        navigation.register("CallRail", "callrail_home", 30)
        register_processor(webhooks.SOURCE, webhooks.process, label="CallRail")
        pickers.register(Integration.CALLRAIL, "callrail_tracker_picker")
        sources.register_source(Integration.CALLRAIL)
        sources.register_holding(
            Integration.CALLRAIL,
            selectors.held_calls,
            count=selectors.held_call_count,
            noun="call",
            kinds=selectors.held_kinds,
        )
        checks.register()
