"""The organisation settings (organizations/configuration/): page and API share one use case;
bad values are 400 with field messages; every change is audited with before and after; the brand
reaches every member's pages through brand.css and the logo URL; require_mfa sends members
without a second factor to set one up."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from organizations.configuration.validation import contrast_with_white
from organizations.models import AuditEntry, Organization, OrganizationLogo
from organizations.selectors import forget_organizations
from tests.conftest import Tenant
from tests.organizations.logos import SVG, jpeg_header, png

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Acme Group",
    "slug": "acme",
    "time_zone": "Europe/London",
    "brand_colour": "#1f4e79",
    "min_aggregate_size": "7",
}


def _page(tenant: Tenant) -> str:
    return reverse("organization_settings", kwargs={"org_slug": tenant.slug})


def _api(tenant: Tenant, logo: bool = False) -> str:
    name = "api-organization-logo" if logo else "api-organization-settings"
    return reverse(name, kwargs={"org_slug": tenant.slug})


def _org(tenant: Tenant) -> Organization:
    return Organization.objects.get(pk=tenant.organization.pk)


def test_an_admin_changes_the_settings_on_the_page_and_each_change_is_audited(
    org_a: Tenant, client_for: Any
) -> None:
    client = client_for(org_a.admin.user)
    page = client.get(_page(org_a))
    assert page.status_code == 200
    assert '<option value="Europe/London">' in page.content.decode()
    response = client.post(_page(org_a), {**FORM, "require_mfa": "on"})
    assert response.status_code == 302
    org = _org(org_a)
    assert (org.name, org.time_zone, org.brand_colour, org.min_aggregate_size, org.require_mfa) == (
        "Acme Group",
        "Europe/London",
        "#1f4e79",
        7,
        True,
    )
    with org_a.scope():
        entry = AuditEntry.objects.get(action="organization.settings_changed")
    assert entry.actor == org_a.admin.user
    assert entry.data["changes"]["name"] == {"from": "Acme Corp", "to": "Acme Group"}
    assert entry.data["changes"]["min_aggregate_size"] == {"from": 5, "to": 7}
    assert "slug" not in entry.data["changes"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone", "Select a valid choice"),
        ({"brand_colour": "blue"}, "brand_colour", "#1f6feb"),
        ({"brand_colour": "#ffee00"}, "brand_colour", "contrast"),
        ({"min_aggregate_size": "1"}, "min_aggregate_size", "greater than or equal to 2"),
        ({"slug": "Not A Slug"}, "slug", "lowercase"),
        ({"slug": "bolt"}, "slug", "already uses this address"),
        ({"name": ""}, "name", "required"),
    ],
)
def test_bad_values_are_a_400_with_the_field_message_on_the_page(
    org_a: Tenant, org_b: Tenant, client_for: Any, change: dict[str, str], field: str, message: str
) -> None:
    response = client_for(org_a.admin.user).post(_page(org_a), {**FORM, **change})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert _org(org_a).name == "Acme Corp"


def test_the_contrast_message_names_the_ratio() -> None:
    assert contrast_with_white("#ffffff") == pytest.approx(1.0)
    assert contrast_with_white("#000000") == pytest.approx(21.0)
    assert contrast_with_white("#1f4e79") > 4.5


def test_changing_the_slug_moves_the_pages_and_says_so(org_a: Tenant, client_for: Any) -> None:
    client = client_for(org_a.admin.user)
    response = client.post(_page(org_a), {**FORM, "slug": "acme-group"}, follow=True)
    assert response.redirect_chain[-1][0] == "/o/acme-group/settings/"
    body = response.content.decode()
    assert "/o/acme-group/" in body
    assert "/o/acme/ no longer work" in body
    assert client.get("/o/acme/settings/").status_code == 404


@pytest.mark.parametrize("who", ["coordinator", "member"])
def test_only_admins_reach_the_settings(org_a: Tenant, client_for: Any, who: str) -> None:
    client = client_for(getattr(org_a, who).user)
    assert client.get(_page(org_a)).status_code == 403
    assert client.post(_page(org_a), FORM).status_code == 403
    assert (
        client.patch(_api(org_a), {"name": "x"}, content_type="application/json").status_code == 403
    )
    assert _org(org_a).name == "Acme Corp"


def test_the_api_reads_and_patches_through_the_same_rules(org_a: Tenant, client_for: Any) -> None:
    client = client_for(org_a.admin.user)
    body = client.get(_api(org_a)).json()
    assert body["slug"] == "acme"
    assert body["has_logo"] is False
    assert body["time_zone"] == "UTC"
    response = client.patch(
        _api(org_a),
        {"brand_colour": "#FFFF00", "time_zone": "Nowhere/City", "min_aggregate_size": 500},
        content_type="application/json",
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert "min_aggregate_size" in fields
    response = client.patch(
        _api(org_a),
        {"brand_colour": "#FFFF00", "time_zone": "Nowhere/City"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"brand_colour", "time_zone"}
    response = client.patch(
        _api(org_a),
        {"time_zone": "Asia/Tokyo", "require_mfa": False},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["time_zone"] == "Asia/Tokyo"
    with org_a.scope():
        (entry,) = AuditEntry.objects.filter(action="organization.settings_changed")
    assert entry.data["changes"] == {"time_zone": {"from": "UTC", "to": "Asia/Tokyo"}}


def test_a_logo_is_stored_served_with_caching_and_shown_in_the_brand_css(
    org_a: Tenant, org_b: Tenant, client_for: Any
) -> None:
    admin = client_for(org_a.admin.user)
    upload = SimpleUploadedFile("logo.png", png(), content_type="image/png")
    response = admin.post(_page(org_a), {**FORM, "logo": upload})
    assert response.status_code == 302
    with org_a.scope():
        assert OrganizationLogo.objects.get().content_type == "image/png"
        entry = AuditEntry.objects.get(action="organization.logo_changed")
    assert entry.data["from"] is None
    assert entry.data["to"]["width"] == 32

    member = client_for(org_a.member.user)
    css = member.get(reverse("organization_brand_css", kwargs={"org_slug": "acme"}))
    assert css.status_code == 200
    assert css["Content-Type"].startswith("text/css")
    text = css.content.decode()
    assert "--brand: #1f4e79" in text
    digest = hashlib.sha256(png()).hexdigest()[:16]
    logo_path = f"/brand/acme/logo-{digest}.png"
    assert f'url("{logo_path}")' in text
    again = member.get(
        reverse("organization_brand_css", kwargs={"org_slug": "acme"}),
        HTTP_IF_NONE_MATCH=css["ETag"],
    )
    assert again.status_code == 304
    # The settings page and the API name the same URL.
    assert f'src="{logo_path}"' in admin.get(_page(org_a)).content.decode()
    assert admin.get(_api(org_a)).json()["logo_url"] == logo_path

    # One public URL, for pages and emails alike: cached for a year, named by its bytes.
    for fetcher in (member, client_for(org_b.admin.user), Client()):
        logo = fetcher.get(logo_path)
        assert logo.status_code == 200
        assert logo["Content-Type"] == "image/png"
        assert logo["Cache-Control"] == "public, max-age=31536000, immutable"
        assert logo["X-Content-Type-Options"] == "nosniff"
        assert logo.content == png()
    # Another organisation's slug, a stale digest, another extension: 404.
    anonymous = Client()
    assert anonymous.get(f"/brand/{org_b.slug}/logo-{digest}.png").status_code == 404
    assert anonymous.get(f"/brand/acme/logo-{'0' * 16}.png").status_code == 404
    assert anonymous.get(f"/brand/acme/logo-{digest}.jpg").status_code == 404
    assert member.get("/o/acme/logo/").status_code == 404  # the old members-only route is gone

    # A new logo is a new URL; the old one is a 404 at once.
    upload = SimpleUploadedFile("logo.png", png(16, 16), content_type="image/png")
    assert admin.post(_page(org_a), {**FORM, "logo": upload}).status_code == 302
    assert anonymous.get(logo_path).status_code == 404
    new_digest = hashlib.sha256(png(16, 16)).hexdigest()[:16]
    assert anonymous.get(f"/brand/acme/logo-{new_digest}.png").content == png(16, 16)
    # No logo: the old URL is a 404 and brand.css names none.
    assert admin.post(_page(org_a), {**FORM, "remove_logo": "on"}).status_code == 302
    assert anonymous.get(f"/brand/acme/logo-{new_digest}.png").status_code == 404
    css = member.get(reverse("organization_brand_css", kwargs={"org_slug": "acme"}))
    assert "org-logo" not in css.content.decode()

    # Pages link the brand stylesheet (no inline style or script).
    home = member.get(reverse("organization_home", kwargs={"org_slug": "acme"})).content.decode()
    assert "/o/acme/brand.css" in home
    assert 'class="org-logo"' in home


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (SVG, "SVG logos are not accepted"),
        (b"GIF89a" + b"\x00" * 40, "PNG or JPEG"),
        (png(8, 8), "between 16 and 2000"),
        (png(3000, 20), "between 16 and 2000"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * (600 * 1024), "too large"),
    ],
)
def test_bad_logos_are_refused_with_a_field_message(
    org_a: Tenant, client_for: Any, content: bytes, message: str
) -> None:
    client = client_for(org_a.admin.user)
    response = client.generic(
        "PUT", _api(org_a, logo=True), **_multipart({"logo": ("logo.png", content)})
    )
    assert response.status_code == 400, response.content
    assert message in " ".join(response.json()["fields"]["logo"])
    with org_a.scope():
        assert not OrganizationLogo.objects.exists()


def _multipart(files: dict[str, tuple[str, bytes]]) -> dict[str, Any]:
    boundary = "BoUnDaRy"
    parts = []
    for name, (filename, content) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def test_the_api_replaces_and_removes_the_logo(org_a: Tenant, client_for: Any) -> None:
    client = client_for(org_a.admin.user)
    response = client.generic(
        "PUT", _api(org_a, logo=True), **_multipart({"logo": ("l.jpg", jpeg_header())})
    )
    assert response.status_code == 200, response.content
    assert response.json()["has_logo"] is True
    with org_a.scope():
        assert OrganizationLogo.objects.get().content_type == "image/jpeg"
    response = client.delete(_api(org_a, logo=True))
    assert response.status_code == 200
    assert response.json()["has_logo"] is False
    with org_a.scope():
        assert not OrganizationLogo.objects.exists()
        assert AuditEntry.objects.filter(action="organization.logo_changed").count() == 2


def test_require_mfa_sends_members_without_a_second_factor_to_set_it_up(
    org_a: Tenant, client_for: Any
) -> None:
    Organization.objects.filter(pk=org_a.organization.pk).update(require_mfa=True)
    forget_organizations()  # update() sends no post_save
    client = client_for(org_a.member.user)
    home = reverse("organization_home", kwargs={"org_slug": "acme"})
    response = client.get(home)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    assert "next=" in response["Location"]
    api = client.get(reverse("api-organization", kwargs={"org_slug": "acme"}))
    assert api.status_code == 403
    assert "two-factor" in api.json()["detail"]

    Authenticator.objects.create(user=org_a.member.user, type=Authenticator.Type.TOTP, data={})
    assert client.get(home).status_code == 200
    assert client.get(reverse("api-organization", kwargs={"org_slug": "acme"})).status_code == 200


def test_other_organisations_are_not_affected_by_require_mfa(
    org_a: Tenant, org_b: Tenant, client_for: Any
) -> None:
    Organization.objects.filter(pk=org_a.organization.pk).update(require_mfa=True)
    forget_organizations()
    client = Client()
    client.force_login(org_b.member.user)
    assert client.get(reverse("organization_home", kwargs={"org_slug": "bolt"})).status_code == 200
