"""The team's company size and members' team profiles (writes).

MANAGE_TEAM sets the company size and edits anyone's profile; every member may change
their own working hours (not their manager, not their responsibilities)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from roost.core import clock
from roost.core.exceptions import PermissionDenied, ValidationFailed
from roost.team.coverage import ORDER
from roost.team.hours import clean_hours, to_json
from roost.team.models import CompanySize, MemberProfile, TeamSettings
from roost.team.profiles import Responsibility
from roost.workspaces.access import require
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm
from roost.workspaces.services import audit_record


class _Keep:
    """Leave this field as it is (the default of every profile field)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()
MAX_CHAIN = 500  # a manager chain longer than any team: stop walking (broken data)


def team_settings_of(workspace: Any) -> TeamSettings:
    found, _made = TeamSettings.objects.get_or_create(workspace=workspace)
    return found


@transaction.atomic
def team_settings_set(*, actor: Membership, company_size: str) -> TeamSettings:
    """State the company size the team builder recommends a shape for."""
    require(actor, Perm.MANAGE_TEAM)
    if company_size not in CompanySize.values:
        raise ValidationFailed({"company_size": [_("Choose one of the company sizes.")]})
    found = team_settings_of(actor.workspace)
    before = found.company_size
    if before == company_size:
        return found
    found.company_size = company_size
    found.updated_at = clock.now()
    found.save(update_fields=["company_size", "updated_at"])
    audit_record(
        workspace=actor.workspace,
        actor=actor.user,
        action="team.size_set",
        size=company_size,
        before=before,
    )
    return found


def profile_of(member: Membership) -> MemberProfile:
    """The member's team profile (an unsaved default when they have none yet)."""
    found = MemberProfile.objects.filter(membership=member).first()
    return found or MemberProfile(workspace_id=member.workspace_id, membership=member)


def _clean_responsibilities(codes: Any) -> list[str]:
    if not isinstance(codes, list | tuple) or len(codes) > len(Responsibility):
        raise ValidationFailed({"responsibilities": [_("Choose from the responsibility list.")]})
    found: set[Responsibility] = set()
    for code in codes:
        try:
            found.add(Responsibility(code))
        except ValueError:
            raise ValidationFailed(
                {"responsibilities": [_("“%(code)s” is not a responsibility.") % {"code": code}]}
            ) from None
    return [r.value for r in sorted(found, key=ORDER.__getitem__)]


def _check_manager(member: Membership, boss: Membership) -> None:
    """`boss` may be `member`'s manager: same workspace, not themselves, no circle."""
    if boss.workspace_id != member.workspace_id:
        raise ValidationFailed({"reports_to": [_("Choose a member of this workspace.")]})
    if boss.pk == member.pk:
        raise ValidationFailed({"reports_to": [_("Nobody can report to themselves.")]})
    managers = dict(
        MemberProfile.objects.filter(workspace_id=member.workspace_id).values_list(
            "membership_id", "reports_to_id"
        )
    )
    chain = [member.pk, boss.pk]
    current: int | None = boss.pk
    while current is not None and len(chain) < MAX_CHAIN:
        current = managers.get(current)
        if current is None:
            return
        chain.append(current)
        if current == member.pk:
            rows = Membership.objects.filter(pk__in=chain).values_list(
                "pk", "user__name", "user__email"
            )
            names = {pk: name or email for pk, name, email in rows}
            path = " → ".join(names.get(pk, "?") for pk in chain)
            raise ValidationFailed(
                {
                    "reports_to": [
                        _("That would make a circle of managers: %(path)s.") % {"path": path}
                    ]
                }
            )


@transaction.atomic
def member_profile_update(
    *,
    actor: Membership,
    member: Membership,
    reports_to: Membership | None = KEEP,
    working_hours: Any = KEEP,
    responsibilities: Any = KEEP,
) -> MemberProfile:
    """Change a member's manager, working hours and extra responsibilities; a field left
    at KEEP stays as it is. Working hours: roost/team/hours.py's format, at least one day."""
    profile = profile_of(member)
    manager = actor.has_perm(Perm.MANAGE_TEAM)
    if not manager and actor.pk != member.pk:
        raise PermissionDenied(_("Only a team manager can change someone else's profile."))
    changed: list[str] = []
    errors: dict[str, list[str]] = {}
    if reports_to is not KEEP and (reports_to.pk if reports_to else None) != profile.reports_to_id:
        if not manager:
            raise PermissionDenied(_("Only a team manager can change who someone reports to."))
        if reports_to is not None:
            try:
                _check_manager(member, reports_to)
            except ValidationFailed as exc:
                errors.update(exc.errors)
        changed.append("reports_to")
    hours = profile.working_hours
    if working_hours is not KEEP:
        if working_hours in (None, {}):
            errors["working_hours"] = [_("Give at least one working day.")]
        else:
            try:
                hours = to_json(clean_hours(working_hours))
            except ValidationFailed as exc:
                errors.update(exc.errors)
        if hours != profile.working_hours:
            changed.append("working_hours")
    extra = profile.responsibilities
    if responsibilities is not KEEP:
        try:
            extra = _clean_responsibilities(responsibilities)
        except ValidationFailed as exc:
            errors.update(exc.errors)
        if extra != profile.responsibilities:
            if not manager:
                raise PermissionDenied(
                    _("Only a team manager can change someone's responsibilities.")
                )
            changed.append("responsibilities")
    if errors:
        raise ValidationFailed(errors)
    if not changed:
        return profile
    if "reports_to" in changed:
        profile.reports_to = reports_to
    profile.working_hours = hours
    profile.responsibilities = extra
    profile.save()
    audit_record(
        workspace=member.workspace,
        actor=actor.user,
        action="team.profile_updated",
        target=member,
        changed=changed,
        responsibilities=list(extra),
    )
    return profile
