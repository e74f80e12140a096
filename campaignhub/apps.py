from django.apps import AppConfig


class CampaignHubConfig(AppConfig):
    name = "campaignhub"
    verbose_name = "CampaignHub"

    def ready(self):
        # The deploy checks, and the receivers that close the live sockets of a session that
        # ended, register themselves as they are imported.
        from campaignhub import checks, navigation, sessions  # noqa: F401

        navigation.register("Dashboard", "dashboard", 0)
        navigation.register("Settings", "account_settings", 100)
