from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self):
        from campaignhub import navigation

        navigation.register("Reports", "reports", 50)
