from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campaigns"

    def ready(self):
        from campaignhub import dashboard, inbound, navigation, signals, webhooks
        from campaigns import held_forms, panels, removal, selectors, services, sources
        from campaigns import webhooks as lead_webhooks
        from campaigns.models import Integration
        from notifications.selectors import register_subject
        from notifications.services import register_current_address, register_withhold_reason
        from notifications.signals import delivery_sent

        navigation.register("Campaigns", "campaign_list", 10)
        navigation.register("Leads", "lead_list", 20)
        webhooks.register_processor(
            lead_webhooks.SOURCE, lead_webhooks.process, label="Lead webhook"
        )
        webhooks.register_processor(
            held_forms.SOURCE, held_forms.process, label="Form held while paused"
        )
        inbound.register_campaigns(
            selectors.campaigns_named,
            offered=selectors.campaigns_offered,
            option=selectors.campaign_option,
        )
        inbound.register_leads(selectors.lead_named)
        dashboard.register_panel("campaigns/dashboard_panel.html", panels.dashboard, 10)
        dashboard.register_panel("campaigns/attention_panel.html", panels.attention, 5)
        # Built in; an integration's own lead source is registered by its app.
        sources.register_source(Integration.FORM)
        sources.register_source(Integration.WEBHOOK)
        signals.member_removed.connect(
            removal.on_member_removed, dispatch_uid="campaigns.withdraw_representative"
        )
        signals.member_removing.connect(
            removal.on_member_removing, dispatch_uid="campaigns.removal_preview"
        )
        signals.member_removal_check.connect(
            removal.on_member_removal_check, dispatch_uid="campaigns.check_hand_over"
        )
        delivery_sent.connect(services.on_delivery_sent, dispatch_uid="campaigns.lead_alerted")
        register_current_address(services.LEAD_EVENT, services.lead_alert_address)
        register_withhold_reason(services.LEAD_EVENT, services.lead_alert_withheld)
        register_subject(services.LEAD_EVENT, selectors.alert_subject)
        signals.currency_changing.connect(
            services.on_currency_changing, dispatch_uid="campaigns.revenue_currency"
        )
