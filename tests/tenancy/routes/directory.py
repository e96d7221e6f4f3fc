"""Directory and imports: people pages and API, import pages and API."""

from __future__ import annotations

from typing import Any

from participants import directory
from participants.importing import jobs as importing
from tests.conftest import Tenant
from tests.tenancy.routes import Route, ids_of


def build(tenant: Tenant) -> dict[str, Any]:
    with tenant.scope():
        boss = directory.person_create(
            organization=tenant.organization,
            actor=tenant.admin.user,
            email="boss@acme.test",
            full_name="Bea Boss",
            employee_id="E1",
        )
        person = directory.person_create(
            organization=tenant.organization,
            actor=tenant.admin.user,
            email="dev@acme.test",
            full_name="Dev Person",
            manager=boss,
        )
        job = importing.import_upload(
            organization=tenant.organization,
            actor=tenant.admin.user,
            file_name="people.csv",
            content=b"Email,Name\nnew@acme.test,New Person\n",
        )
    return {"person": person.pk, "import": job.pk}


ROUTES: dict[str, Route] = {
    # Pages
    "person_list": Route(("GET",)),
    "person_create": Route(("GET", "POST")),
    "person_detail": Route(("GET",), ids_of("person")),
    "person_edit": Route(("GET", "POST"), ids_of("person")),
    "person_deactivate": Route(("POST",), ids_of("person")),
    "person_reactivate": Route(("POST",), ids_of("person")),
    "import_list": Route(("GET", "POST")),
    "import_template": Route(("GET",)),
    "import_detail": Route(("GET",), ids_of("import")),
    # The fixture's import was never checked: no problems to download, back to its page.
    "import_problems": Route(("GET",), ids_of("import"), owner_get_status=302),
    "import_validate": Route(("POST",), ids_of("import")),
    "import_commit": Route(("POST",), ids_of("import")),
    # API
    "api-person-list": Route(("GET", "POST")),
    "api-person-detail": Route(("GET", "PUT", "PATCH"), ids_of("person")),
    "api-person-deactivate": Route(("POST",), ids_of("person")),
    "api-person-reactivate": Route(("POST",), ids_of("person")),
    "api-person-reporting-chain": Route(("GET",), ids_of("person")),
    "api-import-list": Route(("GET", "POST")),
    "api-import-detail": Route(("GET",), ids_of("import")),
    "api-import-mapping": Route(("POST",), ids_of("import")),
    "api-import-validate": Route(("POST",), ids_of("import")),
    "api-import-commit": Route(("POST",), ids_of("import")),
    "api-import-template": Route(("GET",)),
    # No problems in the fixture's unchecked import: 400 (the page redirects with a message).
    "api-import-problems": Route(("GET",), ids_of("import"), owner_get_status=400),
}
