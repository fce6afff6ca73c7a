"""The boost pages: the form (from a published post), the list, a boost, cancelling it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from roost.core.exceptions import NotFound, RoostError
from roost.http.forms import apply_error
from roost.paid.approval import audience_line
from roost.paid.boost_forms import BoostForm
from roost.paid.models import AdDay, Boost
from roost.paid.services import boosts
from roost.publishing.models import Post
from roost.publishing.selectors import post_detail
from roost.workspaces.decorators import workspace_view
from roost.workspaces.roles import Perm

BOOSTS_SHOWN = 200
CENTS = Decimal("0.01")


def _actor(request: HttpRequest) -> Any:
    return request.membership  # type: ignore[attr-defined]


def access_post(actor: Any, post_id: int) -> Post:
    """A post the actor may see in their workspace."""
    found = post_detail(actor, post_id)
    if found is None:
        raise NotFound()
    return found


@workspace_view(Perm.SPEND)
@require_http_methods(["GET", "HEAD", "POST"])
def boost_new(request: HttpRequest, post_id: int) -> HttpResponse:
    actor = _actor(request)
    post = access_post(actor, post_id)
    channels = list(boosts.published_channels(post))
    networks = {c.network for c in channels}
    accounts = [
        a
        for a in boosts.ad_accounts_for(actor.workspace)
        if a.channel is not None and a.channel.network in networks
    ]
    data = request.POST if request.method == "POST" else None
    form = BoostForm(data, channels=channels, accounts=accounts)
    status = 200
    if data is not None:
        status = 422
        if form.is_valid():
            found = {c.pk: c for c in channels}
            account = {a.pk: a for a in accounts}
            try:
                boost = boosts.boost_create(
                    actor=actor,
                    post=post,
                    channel=found[form.cleaned_data["channel"]],
                    ad_account=account[form.cleaned_data["ad_account"]],
                    budget=form.cleaned_data["budget"],
                    days=form.cleaned_data["days"],
                    audience=form.audience(),
                )
            except RoostError as exc:
                apply_error(form, exc)
            else:
                if boost.status == "in_review":
                    messages.success(request, _("The boost waits for approval of its spend."))
                else:
                    messages.success(request, _("The boost is being created on the ad network."))
                return redirect("paid:boost", slug=actor.workspace.slug, boost_id=boost.pk)
    context = {
        "area": "paid",
        "here": "boosts",
        "post": post,
        "form": form,
        "channels": channels,
        "accounts": accounts,
        "threshold": boosts.money.paid_settings(actor.workspace),
    }
    return render(request, "paid/boost_new.html", context, status=status)


@workspace_view(Perm.VIEW_PAID)
@require_safe
def boost_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    rows = list(
        Boost.objects.filter(workspace_id=actor.workspace_id)
        .select_related("post", "channel", "ad_account")
        .order_by("-created_at", "-id")[:BOOSTS_SHOWN]
    )
    return render(request, "paid/boosts.html", {"area": "paid", "here": "boosts", "boosts": rows})


def _figures(boost: Boost) -> dict[str, Any] | None:
    if boost.paid_campaign_id is None:
        return None
    found = AdDay.objects.filter(campaign_id=boost.paid_campaign_id).aggregate(
        spend=Sum("spend"), impressions=Sum("impressions"), clicks=Sum("clicks")
    )
    if found["impressions"] is None:
        return None
    # SQLite's SUM of a decimal column comes back with float digits (105.240000000000).
    found["spend"] = Decimal(found["spend"]).quantize(CENTS)
    return found


@workspace_view(Perm.VIEW_PAID)
@require_safe
def boost_detail(request: HttpRequest, boost_id: int) -> HttpResponse:
    actor = _actor(request)
    boost = boosts.access_boost(actor, boost_id)
    context = {
        "area": "paid",
        "here": "boosts",
        "boost": boost,
        "audience": audience_line(boost.audience),
        "note": boosts.approval_note(boost),
        "figures": _figures(boost),
        "can_cancel": boost.status == "in_review" and actor.has_perm(Perm.SPEND),
    }
    return render(request, "paid/boost.html", context)


@workspace_view(Perm.SPEND)
@require_POST
def boost_cancel(request: HttpRequest, boost_id: int) -> HttpResponse:
    actor = _actor(request)
    boost = boosts.access_boost(actor, boost_id)
    try:
        boosts.boost_cancel(actor=actor, boost=boost)
    except RoostError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The boost was cancelled; nothing was spent."))
    return redirect("paid:boost", slug=actor.workspace.slug, boost_id=boost.pk)
