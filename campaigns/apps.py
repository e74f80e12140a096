from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campaigns"

    def ready(self):
        from campaignhub import dashboard, navigation, webhooks
        from campaigns import panels
        from campaigns import webhooks as lead_webhooks

        navigation.register("Campaigns", "campaign_list", 10)
        navigation.register("Leads", "lead_list", 20)
        webhooks.register_processor(lead_webhooks.SOURCE, lead_webhooks.process)
        dashboard.register_panel("campaigns/dashboard_panel.html", panels.dashboard, 10)
