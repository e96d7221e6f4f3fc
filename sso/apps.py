from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "sso"
    verbose_name = "Single sign-on"

    def ready(self) -> None:
        from organizations.signup import password_sign_in_checks
        from privacy.erasure.services import account_leaves
        from sso import password, signin

        password_sign_in_checks.register(password.sso_instead_of_password)
        account_leaves.register(signin.forget_account)
        account_leaves.register(signin.forget_saml_account)
