from django.apps import AppConfig


class CampaignHubConfig(AppConfig):
    name = "campaignhub"
    verbose_name = "CampaignHub"

    def ready(self):
        # The deploy checks, and the receivers that close the live sockets of a session that
        # ended, register themselves as they are imported.
        from django.conf import settings
        from django.db.models.signals import pre_delete

        from campaignhub import checks, devserver, navigation, services, sessions  # noqa: F401

        # Before Daphne accepts a connection: it would answer unreadable forms itself, bare.
        devserver.install()

        pre_delete.connect(
            services.cancel_invitations_of_deleted_user,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="cancel_invitations_of_deleted_user",
        )
        navigation.register("Dashboard", "dashboard", 0)
        navigation.register("Settings", "account_settings", 100)
