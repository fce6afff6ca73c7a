"""The audit log in words: one translated sentence per entry ("Maja Manager scheduled
“Winter latte…” for 2 Dec 2026, 07:12 on Coffee Co. Sandbox"), never a raw dictionary.

Entries name their target by model name and id (AuditEntry.target_type/target_id) and
keep a few ids in `data`; the names are looked up here for a whole page at once (one query
per kind of object, through Django's app registry, so this module imports no domain app).
An action without a sentence of its own gets a readable fallback."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.apps import apps
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from roost.core.moments import format_moment
from roost.workspaces.models import ApiScope, AuditEntry
from roost.workspaces.roles import Role

TITLE_LENGTH = 40


@dataclass
class AuditLine:
    entry: AuditEntry
    sentence: str


def _model(model_name: str) -> Any:
    """Roost's model stored under this name (AuditEntry keeps `_meta.model_name`; Django's
    own apps have a "group" too)."""
    for model in apps.get_models():
        if model._meta.model_name == model_name and model.__module__.startswith("roost."):
            return model
    return None


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= TITLE_LENGTH else text[: TITLE_LENGTH - 1].rstrip() + "…"


def _quoted(text: str) -> str:
    """A post's title in the language's own quotation marks (Polish opens low: „…”)."""
    return _("“%(text)s”") % {"text": _short(text)}


def _label(model_name: str, obj: Any) -> str:
    """How a person names this object in a sentence."""
    if model_name == "membership":
        return str(obj.user.display_name)
    if model_name == "post":
        return _quoted(obj.text) if obj.text.strip() else _("a post without text")
    if model_name == "message":
        return _("the message from %(who)s") % {"who": obj.author_handle or obj.author_name}
    if model_name == "invite":
        return str(obj.email)
    if model_name == "mediaasset":
        return str(obj.original_name)
    name = getattr(obj, "name", None)
    return str(name) if name else str(obj)


class _Names:
    """Names of the objects a page of entries mentions, looked up once per kind."""

    def __init__(self, entries: list[AuditEntry]) -> None:
        wanted: dict[str, set[int]] = {}

        def want(model_name: str, value: Any) -> None:
            if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
                wanted.setdefault(model_name, set()).add(int(value))

        for e in entries:
            if e.target_type:
                want(e.target_type, e.target_id)
            data = e.data or {}
            for pk in data.get("channels") or []:
                want("channel", pk)
            for pk in (data.get("due") or {}) if isinstance(data.get("due"), dict) else []:
                want("channel", pk)
            if data.get("member"):
                want("membership", data["member"])
            if data.get("group"):
                want("group", data["group"])
        self.found: dict[tuple[str, int], str] = {}
        for model_name, ids in wanted.items():
            model = _model(model_name)
            if model is None:
                continue
            rows = model._default_manager.filter(pk__in=ids)
            if model_name in ("membership",):
                rows = rows.select_related("user")
            for obj in rows:
                self.found[(model_name, obj.pk)] = _label(model_name, obj)

    def get(self, model_name: str, pk: Any, default: str = "") -> str:
        try:
            return self.found.get((model_name, int(pk)), default)
        except (TypeError, ValueError):
            return default

    def many(self, model_name: str, ids: Iterable[Any]) -> str:
        names = [self.get(model_name, pk) for pk in ids]
        known = [n for n in names if n]
        gone = len(names) - len(known)
        if gone:
            known.append(ngettext("%(n)s removed one", "%(n)s removed ones", gone) % {"n": gone})
        return ", ".join(known) or "—"


def _when(value: Any) -> str:
    """An ISO time from the data, in the current (workspace's) time zone and locale."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return format_moment(moment, "DATETIME_FORMAT")


def _roles(codes: Any) -> str:
    labels = []
    for code in codes or []:
        try:
            labels.append(str(Role(code).label))
        except ValueError:
            labels.append(str(code))
    return ", ".join(labels) or _("no role")


def _scopes(codes: Any) -> str:
    labels = []
    for code in codes or []:
        try:
            labels.append(str(ApiScope(code).label))
        except ValueError:
            labels.append(str(code))
    return "; ".join(labels) or "—"


Sentence = Callable[[AuditEntry, dict[str, Any], "_Names"], str]


def _post_scheduled(e: AuditEntry, v: dict[str, Any], names: _Names) -> str:
    data = e.data or {}
    found = data.get("due")
    due: dict[str, Any] = found if isinstance(found, dict) else {}
    times = {pk: _when(at) for pk, at in sorted(due.items())}
    if len(set(times.values())) <= 1:
        v["channels"] = names.many("channel", times)
        v["when"] = next(iter(times.values()), "—")
    else:  # each channel at its own time (its own time zone or queue slot)
        v["when"] = "; ".join(
            f"{names.get('channel', pk) or _('a removed channel')} {at}" for pk, at in times.items()
        )
        v["channels"] = ""
    mode = data.get("mode")
    by_roost = e.actor_id is None
    if mode == "now":
        if by_roost:
            return _("%(target)s was approved and is publishing now on %(channels)s") % v
        return _("%(actor)s published %(target)s on %(channels)s (now)") % v
    if not v["channels"]:
        if by_roost:
            return _("%(target)s was approved and scheduled: %(when)s") % v
        return _("%(actor)s scheduled %(target)s: %(when)s") % v
    if mode == "queue":
        if by_roost:
            return _("%(target)s was approved and queued for %(when)s on %(channels)s") % v
        return _("%(actor)s queued %(target)s for %(when)s on %(channels)s") % v
    if by_roost:
        return _("%(target)s was approved and scheduled for %(when)s on %(channels)s") % v
    return _("%(actor)s scheduled %(target)s for %(when)s on %(channels)s") % v


def _post_deleted(e: AuditEntry, v: dict[str, Any], names: _Names) -> str:
    data = e.data or {}
    v["target"] = _quoted(data.get("text", "")) if data.get("text") else v["target"]
    if data.get("removed_from"):
        return _("%(actor)s deleted %(target)s and removed it from the networks") % v
    return _("%(actor)s deleted %(target)s") % v


def _channel_access(e: AuditEntry, v: dict[str, Any], names: _Names) -> str:
    data = e.data or {}
    if data.get("all_channels"):
        return _("%(actor)s let %(target)s use every channel") % v
    v["channels"] = names.many("channel", data.get("channels") or [])
    return _("%(actor)s let %(target)s use %(channels)s") % v


def _assigned(e: AuditEntry, v: dict[str, Any], names: _Names) -> str:
    data = e.data or {}
    to = [
        names.get("membership", data.get("member")),
        names.get("group", data.get("group")),
    ]
    v["to"] = " / ".join(n for n in to if n) or _("nobody")
    return _("%(actor)s assigned %(target)s to %(to)s") % v


# The hiring pipeline's stages (roost/team/models.py Stage), for its sentences.
_STAGES = {
    "sourced": gettext_lazy("Sourced"),
    "screening": gettext_lazy("Screening"),
    "exercise": gettext_lazy("Exercise"),
    "interview": gettext_lazy("Interview"),
    "offer": gettext_lazy("Offer"),
    "hired": gettext_lazy("Hired"),
    "declined": gettext_lazy("Declined"),
}


def _candidate_moved(e: AuditEntry, v: dict[str, Any], names: _Names) -> str:
    data = e.data or {}
    v["stage"] = str(_STAGES.get(str(data.get("stage")), data.get("stage")))
    v["from_stage"] = str(_STAGES.get(str(data.get("from_stage")), data.get("from_stage")))
    return (
        _("%(actor)s moved candidate #%(candidate)s of %(title)s from %(from_stage)s to %(stage)s")
        % v
    )


def _workspace_updated(e: AuditEntry, v: dict[str, Any], names: _Names) -> str:
    changed = (e.data or {}).get("changed") or {}
    labels = {"name": _("name"), "timezone": _("time zone"), "language": _("language")}
    languages = {code: str(name) for code, name in settings.LANGUAGES}
    parts = []
    # In the form's order: PostgreSQL's jsonb keeps keys in its own order, not the writer's.
    order = {key: i for i, key in enumerate(labels)}
    for key in sorted(changed, key=lambda k: (order.get(k, len(order)), k)):
        pair = changed[key]
        if key == "language" and isinstance(pair, list | tuple):
            pair = [languages.get(code, code) for code in pair]
        if isinstance(pair, list | tuple) and len(pair) == 2:
            parts.append(
                _("%(field)s from %(before)s to %(after)s")
                % {"field": labels.get(key, key), "before": pair[0], "after": pair[1]}
            )
    v["changes"] = "; ".join(parts) or "—"
    return _("%(actor)s changed the workspace settings: %(changes)s") % v


def _simple(text: Any) -> Sentence:
    """A sentence that needs only the values every entry has (and the data's scalars)."""

    def sentence(e: AuditEntry, v: dict[str, Any], names: _Names) -> str:
        return str(text) % v

    return sentence


# --- team: shape and coverage ---------------------------------------------------------
# The codes of roost.team.models.CompanySize and roost.team.profiles.Responsibility (this
# module may not import the team app, which sits above workspaces).
_COMPANY_SIZES = {
    "small": gettext_lazy("a small company (1–2 people in social)"),
    "mid": gettext_lazy("a mid-size company (3–5 people)"),
    "large": gettext_lazy("a large company (6–10 people)"),
    "enterprise": gettext_lazy("an enterprise (11 or more people)"),
}
_PROFILE_FIELDS = {
    "reports_to": gettext_lazy("who they report to"),
    "working_hours": gettext_lazy("working hours"),
    "responsibilities": gettext_lazy("extra responsibilities"),
}


def _team_size_set(e: AuditEntry, v: dict[str, Any], names: _Names) -> str:
    size = (e.data or {}).get("size")
    v["size"] = str(_COMPANY_SIZES.get(str(size), size or "—"))
    return _("%(actor)s set the company size to %(size)s") % v


def _team_profile_updated(e: AuditEntry, v: dict[str, Any], names: _Names) -> str:
    changed = (e.data or {}).get("changed") or []
    v["changes"] = ", ".join(str(_PROFILE_FIELDS.get(str(c), c)) for c in changed) or "—"
    return _("%(actor)s changed the team profile of %(target)s: %(changes)s") % v


# Every action Roost records, in words. %(actor)s, %(target)s and the entry's data keys
# (scalars only; lists are written out) are available to each.
SENTENCES: dict[str, Sentence] = {
    "workspace.created": _simple(gettext_lazy("%(actor)s created the workspace")),
    "workspace.updated": _workspace_updated,
    "member.added": _simple(gettext_lazy("%(actor)s added %(email)s as %(roles)s")),
    "member.roles_changed": _simple(
        gettext_lazy("%(actor)s changed the roles of %(target)s from %(before)s to %(after)s")
    ),
    "member.removed": _simple(
        gettext_lazy("%(actor)s removed %(target)s (%(roles)s) from the workspace")
    ),
    "member.channel_access": _channel_access,
    "group.created": _simple(gettext_lazy("%(actor)s created the group %(name)s")),
    "group.updated": _simple(gettext_lazy("%(actor)s changed the group %(name)s")),
    "group.deleted": _simple(gettext_lazy("%(actor)s deleted the group %(name)s")),
    "invite.created": _simple(gettext_lazy("%(actor)s invited %(email)s as %(roles)s")),
    "invite.revoked": _simple(gettext_lazy("%(actor)s revoked the invitation of %(email)s")),
    "invite.accepted": _simple(gettext_lazy("%(actor)s accepted the invitation sent to %(email)s")),
    "token.created": _simple(gettext_lazy("%(actor)s created the API token %(name)s (%(scopes)s)")),
    "token.revoked": _simple(gettext_lazy("%(actor)s revoked the API token %(name)s")),
    "channel.connected": _simple(gettext_lazy("%(actor)s connected %(target)s (%(handle)s)")),
    "channel.reconnected": _simple(gettext_lazy("%(actor)s reconnected %(target)s (%(handle)s)")),
    "channel.disconnected": _simple(gettext_lazy("%(actor)s disconnected %(target)s")),
    "channel.updated": _simple(
        gettext_lazy("%(actor)s changed the settings of %(target)s (time zone: %(timezone)s)")
    ),
    "channel.queue_slots": _simple(
        gettext_lazy("%(actor)s set the queue slots of %(target)s (%(count)s slots)")
    ),
    "campaign.saved": _simple(gettext_lazy("%(actor)s saved the campaign %(name)s")),
    "goal.saved": _simple(
        gettext_lazy("%(actor)s set a goal for %(kpi_name)s: %(goal_target)s by %(end)s")
    ),
    "goal.deleted": _simple(gettext_lazy("%(actor)s removed the goal for %(kpi_name)s")),
    "short_link.created": _simple(gettext_lazy("%(actor)s created a short link to %(url)s")),
    "roi.settings_saved": _simple(
        gettext_lazy(
            "%(actor)s changed the ROI assumptions: %(value_per_lead)s per lead, "
            "%(value_per_click)s per click (%(currency)s)"
        )
    ),
    "roi.cost_saved": _simple(
        gettext_lazy("%(actor)s set the production cost of the campaign %(name)s to %(cost)s")
    ),
    "conversions.imported": _simple(
        gettext_lazy("%(actor)s imported %(rows)s rows of conversions (%(added)s new)")
    ),
    "report_schedule.created": _simple(
        gettext_lazy("%(actor)s scheduled the report e-mail %(name)s")
    ),
    "report_schedule.updated": _simple(
        gettext_lazy("%(actor)s changed the report e-mail %(name)s")
    ),
    "report_schedule.deleted": _simple(
        gettext_lazy("%(actor)s removed the report e-mail %(name)s")
    ),
    "report_share.created": _simple(
        gettext_lazy("%(actor)s made a read-only report link (until %(until)s)")
    ),
    "report_share.revoked": _simple(gettext_lazy("%(actor)s revoked a read-only report link")),
    "listening.topic_created": _simple(
        gettext_lazy("%(actor)s created the listening topic %(target)s")
    ),
    "listening.topic_updated": _simple(
        gettext_lazy("%(actor)s changed the listening topic %(target)s")
    ),
    "listening.topic_deleted": _simple(
        gettext_lazy("%(actor)s deleted the listening topic %(target)s")
    ),
    "listening.mention_to_inbox": _simple(
        gettext_lazy("%(actor)s sent a public mention to the inbox")
    ),
    "paid.ad_accounts_connected": _simple(
        gettext_lazy("%(actor)s connected the Sandbox Ads accounts of %(target)s")
    ),
    "paid.campaign_created": _simple(
        gettext_lazy(
            "%(actor)s created the paid campaign %(name)s "
            "(budget %(total_budget)s %(currency)s, %(starts_on)s–%(ends_on)s)"
        )
    ),
    "paid.campaign_updated": _simple(
        gettext_lazy(
            "%(actor)s changed the paid campaign %(name)s "
            "(budget %(total_budget)s %(currency)s, %(starts_on)s–%(ends_on)s)"
        )
    ),
    "paid.settings_saved": _simple(
        gettext_lazy(
            "%(actor)s set the paid reporting currency to %(currency)s and the boost "
            "approval threshold to %(approval_threshold)s"
        )
    ),
    "paid.rate_set": _simple(
        gettext_lazy("%(actor)s set the rate 1 %(currency)s = %(rate)s %(reporting)s")
    ),
    "paid.rate_deleted": _simple(gettext_lazy("%(actor)s removed the rate of %(currency)s")),
    "paid.ad_account_created": _simple(
        gettext_lazy("%(actor)s added the ad account %(name)s (%(source)s, %(currency)s)")
    ),
    "paid.ad_account_renamed": _simple(
        gettext_lazy("%(actor)s renamed the ad account %(before)s to %(name)s")
    ),
    "paid.imported": _simple(
        gettext_lazy(
            "%(actor)s imported %(rows)s rows of ad figures into %(target)s "
            "(%(created)s new, %(updated)s changed, %(unchanged)s unchanged)"
        )
    ),
    "paid.days_pushed": _simple(
        gettext_lazy(
            "%(actor)s pushed %(rows)s rows of ad figures into %(target)s "
            "(%(created)s new, %(updated)s changed, %(unchanged)s unchanged)"
        )
    ),
    "paid.boost_requested": _simple(
        gettext_lazy("%(actor)s asked for a boost of %(amount)s %(currency)s for %(days)s days")
    ),
    "paid.boost_cancelled": _simple(
        gettext_lazy("%(actor)s cancelled a boost waiting for approval")
    ),
    "assessment.created": _simple(
        gettext_lazy(
            "%(actor)s created a practical exercise (%(scenario)s, a login for %(days)s days) "
            "for %(target)s"
        )
    ),
    "assessment.started": _simple(
        gettext_lazy("%(actor)s recorded that %(target)s started the practical exercise")
    ),
    "assessment.submitted": _simple(
        gettext_lazy(
            "%(actor)s recorded that %(target)s submitted the practical exercise "
            "(%(correct)s of %(total)s handled as expected)"
        )
    ),
    "publishing.paused": _simple(gettext_lazy("%(actor)s paused publishing: %(reason)s")),
    "publishing.resumed": _simple(gettext_lazy("%(actor)s resumed publishing")),
    "brief.settings_changed": _simple(
        gettext_lazy("%(actor)s changed the daily brief's settings (at %(time)s)")
    ),
    "brief.item_added": _simple(gettext_lazy("%(actor)s added an action item to the brief")),
    "brief.item_done": _simple(gettext_lazy("%(actor)s ticked off an action item of the brief")),
    "brief.item_reopened": _simple(gettext_lazy("%(actor)s reopened an action item of the brief")),
    "calendar_feed.created": _simple(gettext_lazy("%(actor)s created the calendar feed link")),
    "calendar_feed.rotated": _simple(
        gettext_lazy("%(actor)s replaced the calendar feed link (the old one stopped working)")
    ),
    "media.uploaded": _simple(gettext_lazy("%(actor)s uploaded the image %(name)s")),
    "post.created": _simple(gettext_lazy("%(actor)s created %(target)s for %(channels)s")),
    "post.updated": _simple(gettext_lazy("%(actor)s edited %(target)s")),
    "post.scheduled": _post_scheduled,
    "post.cancelled": _simple(gettext_lazy("%(actor)s cancelled %(target)s")),
    "post.deleted": _post_deleted,
    "approvals.workflow_saved": _simple(
        gettext_lazy("%(actor)s saved the approval workflow %(name)s (%(steps)s steps)")
    ),
    "approvals.workflow_disabled": _simple(
        gettext_lazy("%(actor)s: the approval workflow %(target)s was turned off. %(reason)s")
    ),
    "approvals.workflow_deleted": _simple(
        gettext_lazy("%(actor)s deleted the approval workflow %(name)s")
    ),
    "inbox.settings_saved": _simple(gettext_lazy("%(actor)s changed the inbox settings")),
    "inbox.rule_created": _simple(gettext_lazy("%(actor)s created the inbox rule %(target)s")),
    "inbox.rule_deleted": _simple(gettext_lazy("%(actor)s deleted an inbox rule")),
    "inbox.rule_disabled": _simple(
        gettext_lazy("%(actor)s: the inbox rule %(target)s was turned off. %(reason)s")
    ),
    "inbox.webhook_created": _simple(gettext_lazy("%(actor)s added the webhook %(url)s")),
    "inbox.webhook_secret_rotated": _simple(
        gettext_lazy("%(actor)s replaced the signing secret of the webhook %(target)s")
    ),
    "inbox.webhook_deleted": _simple(gettext_lazy("%(actor)s deleted the webhook %(url)s")),
    "inbox.webhook_replayed": _simple(gettext_lazy("%(actor)s sent a webhook delivery again")),
    "inbox.saved_reply_created": _simple(
        gettext_lazy("%(actor)s created the saved reply %(target)s")
    ),
    "inbox.saved_reply_changed": _simple(
        gettext_lazy("%(actor)s changed the saved reply %(target)s")
    ),
    "inbox.saved_reply_deleted": _simple(gettext_lazy("%(actor)s deleted a saved reply")),
    "inbox.note_added": _simple(gettext_lazy("%(actor)s added an internal note on %(target)s")),
    "inbox.assigned": _assigned,
    "inbox.task_created": _simple(gettext_lazy("%(actor)s created a task on %(target)s")),
    "inbox.task_done": _simple(gettext_lazy("%(actor)s completed a task")),
    "inbox.task_reopened": _simple(gettext_lazy("%(actor)s reopened a task")),
    "inbox.replied": _simple(gettext_lazy("%(actor)s replied to %(target)s")),
    "inbox.reply_retried": _simple(gettext_lazy("%(actor)s retried the reply to %(target)s")),
    # Onboarding plans (roost/team/services/onboarding.py).
    "onboarding.template_created": _simple(
        gettext_lazy("%(actor)s created the onboarding template %(name)s (%(days)s days)")
    ),
    "onboarding.template_saved": _simple(
        gettext_lazy("%(actor)s changed the onboarding template %(name)s (%(days)s days)")
    ),
    "onboarding.step_added": _simple(
        gettext_lazy("%(actor)s added the step %(title)s (day %(due_day)s) to %(target)s")
    ),
    "onboarding.step_saved": _simple(
        gettext_lazy("%(actor)s changed the step %(title)s (day %(due_day)s) of %(target)s")
    ),
    "onboarding.step_deleted": _simple(
        gettext_lazy("%(actor)s removed the step %(title)s from %(target)s")
    ),
    "onboarding.plan_started": _simple(
        gettext_lazy(
            "%(actor)s started the onboarding plan %(name)s of %(target)s on %(starts_on)s"
        )
    ),
    "onboarding.plan_attached": _simple(
        gettext_lazy("%(actor)s attached the onboarding plan %(name)s to the invite of %(email)s")
    ),
    "onboarding.step_ticked": _simple(
        gettext_lazy("%(actor)s ticked the onboarding step %(title)s of %(target)s")
    ),
    "onboarding.step_unticked": _simple(
        gettext_lazy("%(actor)s unticked the onboarding step %(title)s of %(target)s")
    ),
    "onboarding.plan_ended": _simple(
        gettext_lazy("%(actor)s ended the onboarding plan %(name)s of %(target)s early")
    ),
    "onboarding.mentor_set": _simple(
        gettext_lazy("%(actor)s set the onboarding mentor of %(target)s to %(mentor)s")
    ),
    "experiment.created": _simple(
        gettext_lazy("%(actor)s planned the A/B test %(name)s (%(variants)s versions)")
    ),
    "experiment.started": _simple(gettext_lazy("%(actor)s started the A/B test %(name)s")),
    "experiment.stopped": _simple(
        gettext_lazy("%(actor)s stopped the A/B test %(name)s without a decision")
    ),
    "experiment.decided": _simple(
        gettext_lazy("%(actor)s recorded the decision of the A/B test %(name)s")
    ),
    "hiring.opening_created": _simple(gettext_lazy("%(actor)s opened the position %(title)s")),
    "hiring.opening_updated": _simple(gettext_lazy("%(actor)s changed the opening %(title)s")),
    "hiring.scorecard_saved": _simple(
        gettext_lazy("%(actor)s changed the scorecard of %(title)s (%(criteria)s criteria)")
    ),
    "hiring.candidate_added": _simple(
        gettext_lazy("%(actor)s added candidate #%(candidate)s to %(title)s")
    ),
    "hiring.candidate_moved": _candidate_moved,
    "hiring.interviewers_set": _simple(
        gettext_lazy(
            "%(actor)s chose %(interviewers)s interviewers for candidate #%(candidate)s "
            "of %(title)s"
        )
    ),
    "hiring.evaluation_submitted": _simple(
        gettext_lazy("%(actor)s submitted a scorecard for candidate #%(candidate)s of %(title)s")
    ),
    "hiring.candidate_hired": _simple(
        gettext_lazy("%(actor)s hired candidate #%(candidate)s of %(title)s and sent an invite")
    ),
    "hiring.candidate_deleted": _simple(
        gettext_lazy(
            "%(actor)s deleted a candidate's data on request (candidate #%(candidate)s "
            "of %(title)s)"
        )
    ),
    "experiment.failed": _simple(
        gettext_lazy(
            "%(actor)s could not start the A/B test %(name)s on the ad network: %(reason)s"
        )
    ),
    "team.size_set": _team_size_set,
    "team.profile_updated": _team_profile_updated,
    # --- team: workload (roost/team/services/workload.py) ---
    "team.away_set": _simple(
        gettext_lazy(
            "%(actor)s marked %(target)s away from %(away_from)s to %(away_until)s "
            "(%(handed_to_people)s open items handed to others, %(handed_to_groups)s left "
            "with their groups, %(unassigned)s unassigned)"
        )
    ),
    "team.away_cleared": _simple(gettext_lazy("%(actor)s marked %(target)s back from away")),
    "team.away_handed_back": _simple(
        gettext_lazy(
            "%(actor)s handed back the open items of %(target)s, who is away "
            "(%(handed_to_people)s to others, %(handed_to_groups)s left with their groups, "
            "%(unassigned)s unassigned)"
        )
    ),
    "team.cap_set": _simple(
        gettext_lazy("%(actor)s set the assignment cap of %(target)s to %(cap)s")
    ),
}

# Data keys whose values are lists of codes or ids, written out for people.
_LISTS: dict[str, Callable[[Any, _Names], str]] = {
    "roles": lambda value, names: _roles(value),
    "before": lambda value, names: _roles(value),
    "after": lambda value, names: _roles(value),
    "scopes": lambda value, names: _scopes(value),
    "channels": lambda value, names: names.many("channel", value),
}


def _values(e: AuditEntry, names: _Names) -> dict[str, Any]:
    """The values a sentence may use: who, what, and the data written out (never a repr)."""

    class Missing(dict[str, Any]):
        def __missing__(self, key: str) -> str:
            return "—"

    values: dict[str, Any] = Missing()
    for key, value in (e.data or {}).items():
        if key in _LISTS:
            values[key] = _LISTS[key](value, names)
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            values[key] = value
    values["actor"] = e.actor.display_name if e.actor is not None else _("Roost")
    target = names.get(e.target_type, e.target_id) if e.target_type else ""
    if not target and e.target_type:
        target = (e.data or {}).get("name") or _("something since removed")
    values["target"] = target
    return values


def _fallback(e: AuditEntry, values: dict[str, Any]) -> str:
    """An action without a sentence: its name in words, and its target."""
    what = e.action.replace(".", " ").replace("_", " ")
    if values["target"]:
        return _("%(actor)s: %(what)s (%(target)s)") % {**values, "what": what}
    return _("%(actor)s: %(what)s") % {**values, "what": what}


def audit_lines(entries: Iterable[AuditEntry]) -> list[AuditLine]:
    """Each entry with its sentence, in the entries' order; a fixed number of queries."""
    found = list(entries)
    names = _Names(found)
    lines = []
    for e in found:
        values = _values(e, names)
        sentence = SENTENCES.get(e.action)
        try:
            text = sentence(e, values, names) if sentence else _fallback(e, values)
        except (KeyError, TypeError, ValueError):  # data of an older shape: still words
            text = _fallback(e, values)
        lines.append(AuditLine(e, text))
    return lines
