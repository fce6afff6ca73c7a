"""Login, logout, password reset, profile and language, and accepting invites."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from roost.accounts import services
from roost.accounts.client_ip import client_ip
from roost.accounts.forms import LanguageForm, LoginForm, ProfileForm, SignupForm
from roost.accounts.throttle import password_reset_allowed
from roost.core.exceptions import PermissionDenied, RoostError
from roost.http.decorators import error_response, login_view, public_view
from roost.http.forms import apply_error
from roost.workspaces.services import invite_accept, invite_for_token, invite_matches

login_page = public_view(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html",
        authentication_form=LoginForm,
        redirect_authenticated_user=True,
    )
)
logout_page = public_view(auth_views.LogoutView.as_view())


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, rate-limited, with links built from ROOST_BASE_URL."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        # Over a limit the answer is the same "sent" page, so it tells nothing about
        # whether the address has an account; only the e-mail is left out.
        if password_reset_allowed(email=form.cleaned_data["email"], ip=client_ip(self.request)):
            # Never the request's Host header: a forged one would put an attacker's
            # host into a genuine reset e-mail.
            base = settings.ROOST_BASE_URL.rstrip("/")
            parts = urlsplit(base)
            form.save(
                domain_override=parts.netloc,
                use_https=parts.scheme == "https",
                token_generator=self.token_generator,
                from_email=self.from_email,
                email_template_name=self.email_template_name,
                subject_template_name=self.subject_template_name,
                request=self.request,
                html_email_template_name=self.html_email_template_name,
                extra_email_context={"base_url": base},
            )
        return HttpResponseRedirect(self.get_success_url())


password_reset = public_view(never_cache(PasswordResetView.as_view()))
password_reset_done = public_view(
    auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
)
password_reset_confirm = public_view(
    auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html",
        success_url=reverse_lazy("accounts:password_reset_complete"),
    )
)
password_reset_complete = public_view(
    auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html"
    )
)


@login_view
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(
        request.POST or None,
        initial={"name": user.name, "language": user.language},  # type: ignore[union-attr]
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.user_update_profile(user=user, **form.cleaned_data)
            except RoostError as exc:
                apply_error(form, exc)
            else:
                translation.activate(user.language or translation.get_language())  # type: ignore[union-attr]
                messages.success(request, _("Your profile was saved."))
                return redirect("accounts:profile")
        status = 422
    return render(request, "accounts/profile.html", {"form": form}, status=status)


@login_view
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the UI language for this user (kept on the account, not in a cookie)."""
    form = LanguageForm(request.POST)
    if form.is_valid():
        services.user_update_profile(user=request.user, language=form.cleaned_data["language"])
    else:
        messages.error(request, _("Roost does not speak that language yet."))
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = "/"
    return redirect(target)


@public_view
@never_cache
def invite(request: HttpRequest, token: str) -> HttpResponse:
    """Show an invite; accept it as the logged-in user, or create an account to accept it."""
    try:
        inv = invite_for_token(token)
    except RoostError as exc:
        return error_response(request, 404, exc.message)
    user = request.user
    signup = None
    if user.is_authenticated:
        if request.method == "POST":
            try:
                membership = invite_accept(user=user, token=token)
            except PermissionDenied as exc:  # logged in with another address
                return error_response(request, 403, exc.message)
            except RoostError as exc:
                return error_response(request, 409, exc.message)
            messages.success(request, _("Welcome to %(ws)s.") % {"ws": membership.workspace.name})
            return redirect("workspaces:team", slug=membership.workspace.slug)
    else:
        from roost.accounts.models import User

        has_account = User.objects.filter(email__iexact=inv.email).exists()
        if not has_account:
            signup = SignupForm(request.POST or None, email=inv.email)
            if request.method == "POST" and signup.is_valid():
                try:
                    new_user, membership = services.user_signup_with_invite(
                        token=token,
                        name=signup.cleaned_data["name"],
                        password=signup.cleaned_data["password"],
                    )
                except RoostError as exc:
                    apply_error(signup, exc)
                else:
                    login(request, new_user, backend="django.contrib.auth.backends.ModelBackend")
                    return redirect("workspaces:team", slug=membership.workspace.slug)
    return render(
        request,
        "accounts/invite.html",
        {
            "invite": inv,
            "signup": signup,
            "for_me": user.is_authenticated and invite_matches(inv, user),
        },
        status=422 if signup is not None and signup.errors else 200,
    )
