from django.apps import AppConfig


class CampaignHubConfig(AppConfig):
    name = "campaignhub"
    verbose_name = "CampaignHub"

    def ready(self):
        import campaignhub.checks  # noqa: F401 (the deploy checks register themselves)
        from campaignhub import navigation

        navigation.register("Dashboard", "dashboard", 0)
        navigation.register("Settings", "account_settings", 100)
