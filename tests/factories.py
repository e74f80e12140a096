"""Small builders for test data, going through the same services as the product."""

from django.test import Client

from campaignhub import services
from campaignhub.models import Role

PASSWORD = "correct-horse-battery"


def make_account(name, admin_email):
    return services.create_account(name=name, admin_email=admin_email, admin_password=PASSWORD)


def make_member(account, email, role=Role.MEMBER, name=""):
    return services.add_member(
        account=account, email=email, role=role, name=name, password=PASSWORD
    ).user


def logged_in_client(user):
    client = Client()
    client.force_login(user)
    return client


def bearer(raw_token):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw_token}"}
