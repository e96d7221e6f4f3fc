from __future__ import annotations

from django import forms

from core.text import single_line


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
