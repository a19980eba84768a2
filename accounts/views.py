from __future__ import annotations

import json

from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import services, tokens
from accounts.access import logged_in_user
from accounts.adapters import RESEND_ADDRESS_KEY
from accounts.forms import DeleteAccountForm, DoctorApplicationForm, ProfileForm
from accounts.models import DoctorProfile, Role


def _refused(request: HttpRequest) -> int:
    """The status of a form page: a 400 when it shows a posted form's errors."""
    return 400 if request.method == "POST" else 200


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = logged_in_user(request)
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        services.user_update_profile(user=user, **form.cleaned_data)
        messages.success(request, "Profile saved.")
        return redirect("accounts:profile")
    doctor_profile = DoctorProfile.objects.filter(user=user).first()
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "doctor_profile": doctor_profile},
        status=_refused(request),
    )


@login_required
def doctor_apply(request: HttpRequest) -> HttpResponse:
    user = logged_in_user(request)
    if user.role == Role.MODERATOR:
        messages.info(request, "Moderators cannot apply as doctors with the same account.")
        return redirect("accounts:profile")
    existing = DoctorProfile.objects.filter(user=user).first()
    if existing is not None and existing.is_verified:
        messages.info(request, "You are already a verified doctor.")
        return redirect("accounts:profile")
    form = DoctorApplicationForm(request.POST or None, instance=existing)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.doctor_apply(
            user=user,
            display_name=data["display_name"],
            licence_number=data["licence_number"],
            issuing_authority=data["issuing_authority"],
            country=data["country"],
            specialties=data["specialties"],
            bio=data["bio"],
        )
        messages.success(
            request, "Application received. A moderator will review it; we will e-mail you."
        )
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/doctor_apply.html",
        {"form": form, "existing": existing},
        status=_refused(request),
    )


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The person's API tokens: when each was made, by which app, when it expires; revoke one
    or all of them."""
    user = logged_in_user(request)
    if request.method == "POST":
        if "all" in request.POST:
            count = tokens.tokens_revoke_all(user=user)
            messages.success(request, f"{count} token(s) revoked.")
        else:
            key = request.POST.get("key", "")
            if key.isascii() and key.isalnum() and tokens.token_revoke(user=user, token_key=key):
                messages.success(request, f"Token {key}… revoked.")
            else:
                messages.error(request, "That token does not exist or has already been revoked.")
        return redirect("accounts:tokens")
    return render(request, "accounts/tokens.html", {"tokens": tokens.tokens_live(user=user)})


@login_required
@require_GET
def export_data(request: HttpRequest) -> HttpResponse:
    data = services.user_export_data(user=logged_in_user(request))
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="openconsult-data-{stamp}.json"'
    return response


@login_required
def delete_account(request: HttpRequest) -> HttpResponse:
    user = logged_in_user(request)
    form = DeleteAccountForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        logout(request)
        services.user_delete_account(user=user)
        messages.success(request, "Your account and everything you wrote have been deleted.")
        return redirect("forum:question-list")
    return render(request, "accounts/delete_account.html", {"form": form}, status=_refused(request))


@require_POST
def resend_confirmation(request: HttpRequest) -> HttpResponse:
    """Send the confirmation link again to the address the "Verify your e-mail" page was shown
    for (remembered in the session, never taken from the form: nobody can have links sent to
    an address of their choosing). allauth's limit applies: one link per address every three
    minutes (ACCOUNT_EMAIL_CONFIRMATION_COOLDOWN)."""
    from allauth.account.internal.flows.email_verification import (
        send_verification_email_to_address,
    )

    address_id = request.session.get(RESEND_ADDRESS_KEY)
    address = EmailAddress.objects.filter(pk=address_id).first() if address_id else None
    if address is None:
        messages.info(request, "Log in with your e-mail address and password to get a new link.")
        return redirect("account_login")
    if address.verified:
        request.session.pop(RESEND_ADDRESS_KEY, None)
        messages.success(request, "Your e-mail address is already confirmed: you can log in.")
        return redirect("account_login")
    if not send_verification_email_to_address(request, address):
        messages.warning(
            request,
            "A link was sent a few minutes ago. Check your spam folder, or wait a few minutes "
            "before asking again.",
        )
    return redirect("account_email_verification_sent")
