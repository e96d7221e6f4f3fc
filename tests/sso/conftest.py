from __future__ import annotations

from collections.abc import Iterator

import pytest

from sso import services
from sso.models import OidcProvider, SamlProvider
from sso.services import ProviderSettings, SamlSettings
from tests.conftest import Tenant
from tests.sso.idp import FakeIdp, running_idp
from tests.sso.saml_idp import SamlIdp

ACME_CLIENT, ACME_SECRET = "acme-client", "acme-secret-value"
BOLT_CLIENT, BOLT_SECRET = "bolt-client", "bolt-secret-value"


@pytest.fixture
def idp() -> Iterator[FakeIdp]:
    with running_idp(**{ACME_CLIENT: ACME_SECRET, BOLT_CLIENT: BOLT_SECRET}) as provider:
        yield provider


def configure(
    tenant: Tenant, idp: FakeIdp, client_id: str, secret: str, *, required: bool = False
) -> OidcProvider:
    with tenant.scope():
        return services.provider_save(
            actor=tenant.admin,
            values=ProviderSettings(
                issuer=idp.issuer,
                client_id=client_id,
                client_secret=secret,
                email_claim="email",
                name_claim="name",
                is_enabled=True,
                sso_required=required,
            ),
        )


@pytest.fixture
def acme_sso(org_a: Tenant, idp: FakeIdp) -> OidcProvider:
    return configure(org_a, idp, ACME_CLIENT, ACME_SECRET)


@pytest.fixture
def saml_idp() -> SamlIdp:
    return SamlIdp()


def configure_saml(
    tenant: Tenant, idp: SamlIdp, *, required: bool = False, **values: object
) -> SamlProvider:
    with tenant.scope():
        return services.saml_provider_save(
            actor=tenant.admin,
            values=SamlSettings(
                **{"metadata_xml": idp.metadata(), "sso_required": required, **values}  # type: ignore[arg-type]
            ),
        )


@pytest.fixture
def acme_saml(org_a: Tenant, saml_idp: SamlIdp) -> SamlProvider:
    return configure_saml(org_a, saml_idp)
