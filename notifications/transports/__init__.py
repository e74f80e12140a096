"""Channel transports: one small class per channel, each with backends chosen by settings.

A transport turns a Delivery into a provider call and returns the provider's message id, or
raises TransportError, whose `permanent` flag decides between retrying and giving up.
"""

from django.conf import settings
from django.utils.module_loading import import_string


class TransportError(Exception):
    def __init__(self, message, *, permanent):
        super().__init__(message)
        self.message = message
        self.permanent = permanent


def load_backend(setting_name):
    return import_string(getattr(settings, setting_name))()


def transport_for(channel):
    from notifications.transports.email import EmailTransport
    from notifications.transports.push import PushTransport
    from notifications.transports.sms import SmsTransport

    return {"email": EmailTransport, "sms": SmsTransport, "push": PushTransport}[channel]()
