from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = "CRM"

    def ready(self):
        from django.db.models.signals import post_save

        from campaignhub import navigation, signals
        from campaignhub.models import Account
        from campaigns.forms import register_deal_targets
        from campaigns.signals import lead_captured, lead_handed_over, lead_outcome_changed
        from crm import pipelines, receivers

        navigation.register("Contacts", "contact_list", 25)
        navigation.register("Deals", "deal_board", 27)
        post_save.connect(
            pipelines.on_account_saved, sender=Account, dispatch_uid="crm.default_pipeline"
        )
        register_deal_targets(pipelines.CampaignDealTargets())

        lead_captured.connect(receivers.on_lead_captured, dispatch_uid="crm.lead_captured")
        lead_outcome_changed.connect(
            receivers.on_lead_outcome_changed, dispatch_uid="crm.lead_outcome_changed"
        )
        lead_handed_over.connect(receivers.on_lead_handed_over, dispatch_uid="crm.lead_handed_over")
        signals.currency_changing.connect(
            receivers.on_currency_changing, dispatch_uid="crm.deal_currency"
        )
