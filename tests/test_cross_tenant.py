"""Every URL pattern is either covered by a cross-tenant case or explicitly exempted."""

import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

import tests


def _app_modules():
    for module in pkgutil.iter_modules(tests.__path__):
        if module.ispkg:
            try:
                yield importlib.import_module(f"tests.{module.name}.cross_tenant")
            except ModuleNotFoundError as exc:
                if exc.name != f"tests.{module.name}.cross_tenant":
                    raise


CASES, EXEMPT = {}, {}
for _module in _app_modules():
    CASES.update(_module.CASES)
    EXEMPT.update(_module.EXEMPT)


def url_names(patterns=None, namespace=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name or f'<unnamed {entry.pattern}>'}"


def _exempt(name):
    return name in EXEMPT or any(key.endswith(":*") and name.startswith(key[:-1]) for key in EXEMPT)


def test_every_url_pattern_is_covered_or_exempt():
    missing = sorted(name for name in set(url_names()) if name not in CASES and not _exempt(name))
    assert missing == [], f"URL patterns without a cross-tenant case or exemption: {missing}"


def test_no_case_names_a_url_that_does_not_exist():
    names = set(url_names())
    assert sorted(set(CASES) - names) == []


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(CASES))
def test_other_account_cannot_read_or_change(name, tenant_a, tenant_b):
    CASES[name](tenant_a, tenant_b)
