from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = "CRM"

    def ready(self):
        from campaigns.signals import lead_captured, lead_outcome_changed
        from crm import receivers

        lead_captured.connect(receivers.on_lead_captured, dispatch_uid="crm.lead_captured")
        lead_outcome_changed.connect(
            receivers.on_lead_outcome_changed, dispatch_uid="crm.lead_outcome_changed"
        )
