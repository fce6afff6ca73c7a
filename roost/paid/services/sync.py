"""Sandbox Ads: connect a channel's ad accounts, and sync their daily figures into AdDay.

- `ad_accounts_connect` reads a Sandbox channel's ad accounts and creates (or refreshes)
  one AdAccount per account, source "sandbox".
- `insights_sync` fetches one account's daily figures: campaign rows become AdDay rows
  (origin "sandbox"; unknown campaigns are created by name; a row that did not change is
  not rewritten); ad rows go to the handlers registered with `on_ad_insights` (the A/B
  tests fill their VariantDay rows from them).
- `ad_accounts_sync_all` (the `paid.sync` job) syncs every Sandbox account: the network
  calls run concurrently in a bounded thread pool, the writes in the caller's thread; one
  account's failure is recorded (an ImportRun marked failed) and never stops the others.
  A revoked token marks the channel for reconnecting, as the inbox and listening do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from roost.channels.models import Channel, ChannelStatus
from roost.channels.services import OpenConnector, channel_mark_unauthorized, connector_open
from roost.core import clock
from roost.core.exceptions import Conflict, NotFound
from roost.networks.base import AdInsight, AdsConnector, Outcome, Result
from roost.paid.models import AdAccount, AdDay, AdSource, ImportRun, ImportStatus, PaidCampaign
from roost.workspaces.access import require
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm
from roost.workspaces.services import audit_record

log = logging.getLogger("roost.paid.sync")

AdInsightsHandler = Callable[[AdAccount, list[AdInsight]], None]
_handlers: list[AdInsightsHandler] = []
ORIGIN = "sandbox"
FIGURES = ("spend", "impressions", "reach", "clicks", "conversions", "conversion_value")


class SyncFailed(Conflict):
    """The ad network did not give the figures; `result` says why (and whether to retry)."""

    def __init__(self, result: Result) -> None:
        self.result = result
        super().__init__(result.reason or _("Sandbox Ads did not answer."))


@dataclass(frozen=True)
class SyncCounts:
    """What one sync did: AdDay rows created, updated and left unchanged, campaigns
    created, and ad rows handed to the handlers."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    campaigns_created: int = 0
    ad_rows: int = 0


def on_ad_insights(handler: AdInsightsHandler) -> None:
    """Call `handler(account, ad_rows)` after each sync that got ad-level rows."""
    if handler not in _handlers:
        _handlers.append(handler)


def _ads_connector(opened: OpenConnector) -> AdsConnector:
    connector = opened.connector
    if not isinstance(connector, AdsConnector):
        raise Conflict(_("This channel's network has no ad accounts Roost can reach."))
    return connector


def ad_accounts_connect(*, actor: Membership, channel: Channel) -> list[AdAccount]:
    """Create or refresh an AdAccount for each ad account of a Sandbox channel."""
    require(actor, Perm.MANAGE_BUDGETS)
    if channel.workspace_id != actor.workspace_id:
        raise NotFound()
    if channel.network != "sandbox" or channel.status == ChannelStatus.DISCONNECTED:
        raise Conflict(_("Only a connected Sandbox channel has Sandbox Ads."))
    opened = connector_open(channel)
    try:
        result, found = _ads_connector(opened).ad_accounts()
    finally:
        opened.keep_refreshed()
    if result.outcome is Outcome.UNAUTHORIZED:
        channel_mark_unauthorized(channel_id=channel.pk, reason=result.reason)
    if not result.ok:
        raise SyncFailed(result)
    accounts: list[AdAccount] = []
    with transaction.atomic():
        for info in found:
            account = AdAccount.objects.filter(
                workspace_id=actor.workspace_id, source=AdSource.SANDBOX, external_id=info.remote_id
            ).first()
            if account is None:
                account = AdAccount(
                    workspace_id=actor.workspace_id,
                    source=AdSource.SANDBOX,
                    external_id=info.remote_id,
                    name=_free_name(actor.workspace_id, info.name),
                )
            account.currency, account.channel = info.currency, channel
            account.save()
            accounts.append(account)
        audit_record(
            workspace=channel.workspace,
            actor=actor.user,
            action="paid.ad_accounts_connected",
            target=channel,
            accounts=[a.name for a in accounts],
        )
    return accounts


def _free_name(workspace_id: int, name: str) -> str:
    """`name`, or "name (2)"… when another account of the workspace has it."""
    taken = set(
        AdAccount.objects.filter(workspace_id=workspace_id, name__startswith=name[:90]).values_list(
            "name", flat=True
        )
    )
    candidate, n = name[:100], 2
    while candidate in taken:
        candidate, n = f"{name[:90]} ({n})", n + 1
    return candidate


def sync_window(today: date | None = None) -> tuple[date, date]:
    """The days a sync asks for: ROOST_PAID_SYNC_DAYS back, and ahead up to a year (the
    Sandbox's simulated clock may run ahead of ours)."""
    today = today or clock.now().date()
    return today - timedelta(days=settings.ROOST_PAID_SYNC_DAYS), today + timedelta(days=365)


def _fetch(account: AdAccount, since: date, until: date) -> tuple[Result, list[AdInsight]]:
    """The network call of one sync (no database: it may run in another thread)."""
    if account.channel is None:
        return Result(Outcome.REJECTED, reason=_("This ad account has no Sandbox channel.")), []
    # No keep_refreshed() here (it writes, and this may run in a pool thread): a Sandbox
    # token never changes.
    try:
        opened = connector_open(account.channel)
        return _ads_connector(opened).fetch_insights(account.external_id, since, until)
    except Conflict as exc:
        return Result(Outcome.REJECTED, reason=exc.message), []
    except Exception as exc:  # a connector bug must not stop the other accounts
        log.exception("paid sync: account %s failed in the connector", account.pk)
        return Result(Outcome.RETRYABLE, reason=str(exc)[:300]), []


def insights_sync(*, account: AdAccount, since: date, until: date) -> SyncCounts:
    """Fetch one Sandbox ad account's figures and store them (raises SyncFailed)."""
    result, rows = _fetch(account, since, until)
    return _record(account, result, rows)


def _record(account: AdAccount, result: Result, rows: Sequence[AdInsight]) -> SyncCounts:
    """Store a fetch's rows (or its failure) and hand the ad rows on."""
    if not result.ok:
        if result.outcome is Outcome.UNAUTHORIZED and account.channel_id is not None:
            channel_mark_unauthorized(channel_id=account.channel_id, reason=result.reason)
        ImportRun.objects.create(
            workspace_id=account.workspace_id,
            ad_account=account,
            source=AdSource.SANDBOX,
            status=ImportStatus.FAILED,
            error=result.reason[:2000],
            finished_at=clock.now(),
        )
        raise SyncFailed(result)
    campaign_rows = [row for row in rows if not row.ad_id]
    ad_rows = [row for row in rows if row.ad_id]
    counts = _write(account, campaign_rows)
    if ad_rows:
        for handler in list(_handlers):
            try:
                handler(account, ad_rows)
            except Exception:  # one handler's bug must not lose the figures just stored
                log.exception("paid sync: an ad-insights handler failed (account %s)", account.pk)
    return SyncCounts(
        counts.created, counts.updated, counts.unchanged, counts.campaigns_created, len(ad_rows)
    )


@transaction.atomic
def _write(account: AdAccount, rows: Sequence[AdInsight]) -> SyncCounts:
    """Upsert one AdDay per (campaign, day); rows equal to what is stored are not written."""
    campaigns = {
        c.external_id: c
        for c in PaidCampaign.objects.filter(
            ad_account=account, external_id__in={r.campaign_id for r in rows}
        )
    }
    made = 0
    for row in rows:
        if row.campaign_id not in campaigns:
            campaign, created = PaidCampaign.objects.get_or_create(
                ad_account=account,
                external_id=row.campaign_id,
                defaults={
                    "workspace_id": account.workspace_id,
                    "name": (row.campaign_name or row.campaign_id)[:200],
                },
            )
            campaigns[row.campaign_id] = campaign
            made += created
    existing = {
        (d.campaign_id, d.day): d
        for d in AdDay.objects.filter(
            campaign__in=list(campaigns.values()), day__in={r.day for r in rows}
        )
    }
    now = clock.now()
    run = ImportRun(
        workspace_id=account.workspace_id,
        ad_account=account,
        source=AdSource.SANDBOX,
        status=ImportStatus.IMPORTED,
        rows=len(rows),
        finished_at=now,
    )
    run.save()
    changed: list[AdDay] = []
    for row in rows:
        campaign = campaigns[row.campaign_id]
        day = AdDay(
            workspace_id=account.workspace_id,
            campaign=campaign,
            day=row.day,
            spend=Decimal(row.spend),
            impressions=row.impressions,
            reach=row.reach,
            clicks=row.clicks,
            conversions=Decimal(row.conversions),
            conversion_value=Decimal(row.conversion_value),
            origin=ORIGIN,
            import_run=run,
            updated_at=now,
        )
        before = existing.get((campaign.pk, row.day))
        if before is not None and all(
            getattr(before, name) == getattr(day, name) for name in FIGURES
        ):
            run.unchanged += 1
            continue
        if before is None:
            run.created += 1
        else:
            run.updated += 1
        changed.append(day)
    # One upsert: a sync racing this one (or an import) cannot make a second row.
    AdDay.objects.bulk_create(
        changed,
        update_conflicts=True,
        unique_fields=["campaign", "day"],
        update_fields=[*FIGURES, "origin", "import_run", "updated_at"],
    )
    run.save(update_fields=["created", "updated", "unchanged"])
    return SyncCounts(run.created, run.updated, run.unchanged, made)


@dataclass(frozen=True)
class AccountSync:
    """One account's part of a sync round: its counts, or why it failed."""

    account_id: int
    counts: SyncCounts | None
    error: str = ""


def ad_accounts_sync_all(*, workspace_ids: Sequence[int] | None = None) -> list[AccountSync]:
    """Sync every Sandbox ad account whose channel is active; failures are isolated."""
    accounts = list(
        AdAccount.objects.filter(
            source=AdSource.SANDBOX, channel__status=ChannelStatus.ACTIVE
        ).select_related("channel")
    )
    if workspace_ids is not None:
        accounts = [a for a in accounts if a.workspace_id in workspace_ids]
    since, until = sync_window()
    threads = max(1, min(settings.ROOST_PAID_SYNC_THREADS, len(accounts)))
    report: list[AccountSync] = []
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="paid-sync") as pool:
        fetched = pool.map(lambda a: _fetch(a, since, until), accounts)
        # The writes happen here, in this thread, as each answer comes in order.
        for account, (result, rows) in zip(accounts, fetched, strict=True):
            try:
                report.append(AccountSync(account.pk, _record(account, result, rows)))
            except SyncFailed as exc:
                log.warning("paid sync: account %s failed: %s", account.pk, exc.message)
                report.append(AccountSync(account.pk, None, exc.message))
            except Exception as exc:  # one account's bad data must not stop the others
                log.exception("paid sync: account %s could not be stored", account.pk)
                report.append(AccountSync(account.pk, None, str(exc)[:300]))
    return report


def access_sandbox_account(actor: Membership, ad_account_id: int) -> AdAccount:
    """A Sandbox Ads account of the actor's workspace (MANAGE_BUDGETS)."""
    require(actor, Perm.MANAGE_BUDGETS)
    found = (
        AdAccount.objects.filter(
            workspace_id=actor.workspace_id, pk=ad_account_id, source=AdSource.SANDBOX
        )
        .select_related("channel")
        .first()
    )
    if found is None:
        raise NotFound(_("No such Sandbox Ads account in this workspace."))
    return found


@dataclass(frozen=True)
class SandboxChannelRow:
    """A Sandbox channel of the workspace, its ad accounts and each one's last sync."""

    channel: Channel
    accounts: list[tuple[AdAccount, ImportRun | None]]


def sandbox_channels(workspace_id: int) -> list[SandboxChannelRow]:
    """The workspace's Sandbox channels (not disconnected) with their Sandbox Ads accounts;
    three queries however many there are."""
    channels = list(
        Channel.objects.filter(workspace_id=workspace_id, network="sandbox")
        .exclude(status=ChannelStatus.DISCONNECTED)
        .order_by("name", "pk")
    )
    latest = ImportRun.objects.filter(ad_account=OuterRef("pk"), source=AdSource.SANDBOX).order_by(
        "-created_at", "-pk"
    )
    accounts = list(
        AdAccount.objects.filter(
            workspace_id=workspace_id, source=AdSource.SANDBOX, channel__in=channels
        )
        .annotate(last_run_id=Subquery(latest.values("pk")[:1]))
        .order_by("name")
    )
    runs = ImportRun.objects.filter(pk__in=[a.last_run_id for a in accounts if a.last_run_id])
    last = {run.ad_account_id: run for run in runs}
    return [
        SandboxChannelRow(
            channel,
            [(a, last.get(a.pk)) for a in accounts if a.channel_id == channel.pk],
        )
        for channel in channels
    ]
