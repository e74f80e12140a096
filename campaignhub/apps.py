from django.apps import AppConfig


class CampaignHubConfig(AppConfig):
    name = "campaignhub"
    verbose_name = "CampaignHub"

    def ready(self):
        from campaignhub import navigation

        navigation.register("Dashboard", "dashboard", 0)
        navigation.register("Settings", "account_settings", 100)
