from django.apps import AppConfig


class InvocaConfig(AppConfig):
    name = "invoca"
    verbose_name = "Invoca"

    def ready(self):
        # Calls into leads: the lead source with its advertiser-campaign link, the processor of
        # webhook deliveries and polled transactions, and the sale signal receiver.
        from campaignhub import navigation
        from campaignhub.webhooks import register_processor
        from campaigns import sources
        from invoca import leads, links, sale, webhooks  # noqa: F401 (receivers)

        navigation.register("Invoca", "invoca_home", 45)
        sources.register_link(links.LINK)
        sources.register_feeders(links.LINK.integration, links.feeders)
        register_processor(leads.WEBHOOK_SOURCE, leads.process, label="Invoca webhook")
        register_processor(leads.TRANSACTIONS_SOURCE, leads.process, label="Invoca transactions")
