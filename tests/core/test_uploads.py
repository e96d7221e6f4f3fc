"""No uploaded file is stored past FLIPSIDE_MAX_UPLOAD_BYTES: the rest is dropped as it streams in,
and the views' own size checks refuse what is left (one byte past the bound)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from participants.models import ImportJob
from tests.conftest import Tenant, login

BOUND = 2**20


@override_settings(FLIPSIDE_MAX_UPLOAD_BYTES=BOUND)
def test_a_file_past_the_bound_is_stored_up_to_one_byte_past_it() -> None:
    body = bytes(range(256)) * (3 * BOUND // 256)
    request = RequestFactory().post("/", {"file": SimpleUploadedFile("big.bin", body)})
    stored = request.FILES["file"]
    assert stored.size == BOUND + 1
    assert stored.read() == body[: BOUND + 1]
    assert request.POST == {}


@override_settings(FLIPSIDE_MAX_UPLOAD_BYTES=BOUND)
def test_a_file_within_the_bound_is_whole() -> None:
    body = b"x" * BOUND
    request = RequestFactory().post("/", {"file": SimpleUploadedFile("ok.bin", body), "a": "b"})
    assert request.FILES["file"].read() == body
    assert request.POST["a"] == "b"


def test_a_huge_import_upload_is_refused_with_the_import_bound(org_a: Tenant) -> None:
    client = login(Client(), org_a.admin.user)
    response = client.post(
        reverse("import_list", kwargs={"org_slug": org_a.slug}),
        {"file": SimpleUploadedFile("people.csv", b"Email,Name\n" + b"a" * (12 * 2**20))},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["The file is larger than 5 MB."]
    with org_a.scope():
        assert not ImportJob.objects.exists()
