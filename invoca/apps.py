from django.apps import AppConfig


class InvocaConfig(AppConfig):
    name = "invoca"
    verbose_name = "Invoca"
