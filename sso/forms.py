from __future__ import annotations

from django import forms

from core.text import single_line

MAX_METADATA_CHARS = 1_000_000


class ProviderForm(forms.Form):
    issuer = forms.URLField(
        max_length=500,
        label="Issuer URL",
        help_text="We read its /.well-known/openid-configuration when you save.",
    )
    client_id = forms.CharField(max_length=255, label="Client ID", validators=[single_line])
    client_secret = forms.CharField(
        max_length=1000,
        required=False,
        label="Client secret",
        widget=forms.PasswordInput(render_value=False),
        validators=[single_line],
    )
    email_claim = forms.CharField(
        max_length=100, initial="email", label="Email claim", validators=[single_line]
    )
    name_claim = forms.CharField(
        max_length=100, initial="name", label="Name claim", validators=[single_line]
    )
    is_enabled = forms.BooleanField(required=False, initial=True, label="Enabled")
    sso_required = forms.BooleanField(
        required=False,
        label="SSO required",
        help_text="Members cannot sign in with a password. Admins with two-factor authentication "
        "still can (the break-glass way in).",
    )

    def __init__(self, *args: object, has_secret: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["client_secret"].help_text = (
            "Stored encrypted and never shown again. Leave empty to keep the stored one."
            if has_secret
            else "Stored encrypted and never shown again."
        )


class SamlProviderForm(forms.Form):
    """A SAML identity provider: its metadata XML, or its metadata URL, or the fields by hand."""

    metadata_xml = forms.CharField(
        required=False,
        max_length=MAX_METADATA_CHARS,
        label="IdP metadata XML",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Paste the identity provider's metadata: it fills the three fields below.",
    )
    metadata_url = forms.URLField(
        required=False,
        max_length=500,
        label="IdP metadata URL",
        help_text="Or its address: we read it when you save (https, 10 seconds, 1 MB at most).",
    )
    idp_entity_id = forms.CharField(
        required=False,
        max_length=500,
        label="IdP entity ID",
        validators=[single_line],
        help_text="Or fill these by hand.",
    )
    sso_url = forms.URLField(
        required=False,
        max_length=500,
        label="IdP single sign-on URL",
        help_text="The HTTP-Redirect binding's address.",
    )
    idp_certificates = forms.CharField(
        required=False,
        max_length=50_000,
        label="IdP signing certificates (PEM)",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One or more (during a rollover, both the old and the new one).",
    )
    email_attribute = forms.CharField(
        required=False,
        max_length=200,
        label="Email attribute",
        validators=[single_line],
        help_text="Empty: the NameID when it is an address, else email, mail or the "
        "emailaddress claim.",
    )
    name_attributes = forms.CharField(
        required=False,
        max_length=400,
        label="Name attribute(s)",
        validators=[single_line],
        help_text="Empty: name or displayName. Two separated by a comma are joined (givenName,sn).",
    )
    is_enabled = forms.BooleanField(required=False, initial=True, label="Enabled")
    sso_required = forms.BooleanField(
        required=False,
        label="SSO required",
        help_text="Members cannot sign in with a password. Admins with two-factor authentication "
        "still can (the break-glass way in).",
    )
