from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def confirm_login_allowed(self, user: Any) -> None:
        """A temporary login (a candidate's assessment) never signs in with a password."""
        super().confirm_login_allowed(user)
        if getattr(user, "access_expires_at", None) is not None:
            raise forms.ValidationError(
                _("This login is temporary: open the assessment link you were sent."),
                code="temporary",
            )


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=150, required=False)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("The workspace's language")), *settings.LANGUAGES],
        required=False,
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=[("", "-"), *settings.LANGUAGES], required=False)


class SignupForm(forms.Form):
    """Create an account while accepting an invite (the e-mail comes from the invite)."""

    name = forms.CharField(label=_("Your name"), max_length=150)
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        self.email = email
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        from roost.accounts.models import User

        password = self.cleaned_data["password"]
        password_validation.validate_password(
            password, User(email=self.email, name=self.cleaned_data.get("name", ""))
        )
        return password
