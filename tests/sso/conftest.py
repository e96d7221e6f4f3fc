from __future__ import annotations

from collections.abc import Iterator

import pytest

from sso import services
from sso.models import OidcProvider
from sso.services import ProviderSettings
from tests.conftest import Tenant
from tests.sso.idp import FakeIdp, running_idp

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
