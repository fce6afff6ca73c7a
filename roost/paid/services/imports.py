"""Imports of daily figures into an ad account: CSV exports (preview, then import) and
rows pushed through the API. All or nothing; idempotent per (campaign, day).

Fast path (docs/paid-import.md): the file is streamed once, the account's existing
(campaign, day) figures are loaded in one query, and only new or changed rows are written,
batch by batch, with INSERT … ON CONFLICT (campaign_id, day) DO UPDATE, in one transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from roost.core import clock
from roost.core.exceptions import Conflict, NotFound, ValidationFailed
from roost.paid.importers import Batch, FileProblem, Flight, ScanResult, open_table, scan
from roost.paid.importers.sources import FIELDS, MAPPINGS, Matched
from roost.paid.models import AdAccount, AdDay, AdSource, ImportRun, ImportStatus, PaidCampaign
from roost.workspaces.access import require
from roost.workspaces.models import Membership
from roost.workspaces.roles import Perm
from roost.workspaces.services import audit_record

IMPORT_DIR = "paid/imports"
_DAY_BITS = 22  # date.toordinal() < 2**22
# PostgreSQL: each batch is copied here first (dropped when the transaction ends).
STAGE = "paid_import_stage"
STAGE_SQL = (
    f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGE} (workspace_id bigint, campaign_id bigint, "
    "day date, spend numeric(14, 2), impressions bigint, reach bigint, clicks bigint, "
    "conversions numeric(14, 2), conversion_value numeric(14, 2), origin varchar(16), "
    "import_run_id bigint, updated_at timestamptz) ON COMMIT DROP"
)


class Upload(Protocol):
    @property
    def name(self) -> str | None: ...

    @property
    def size(self) -> int | None: ...

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]: ...


def max_bytes() -> int:
    """The largest file an import takes (ROOST_PAID_IMPORT_MAX_MB)."""
    return int(getattr(settings, "ROOST_PAID_IMPORT_MAX_MB", 100)) * 1024 * 1024


def too_large(size: int) -> ValidationFailed:
    """The message for a file over the cap (checked before it is read)."""
    return ValidationFailed(
        {
            "file": [
                _(
                    "The file is %(size).1f MB; an import takes at most %(max)d MB. Export a "
                    "shorter date range, or split the file."
                )
                % {"size": size / 1024 / 1024, "max": max_bytes() // 1024 // 1024}
            ]
        }
    )


def store_upload(upload: Upload) -> tuple[str, str]:
    """Copy `upload` under MEDIA_ROOT/paid/imports/<random>, streaming, refusing it past
    the cap; (path relative to MEDIA_ROOT, sha256)."""
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        raise too_large(upload.size)
    relative = f"{IMPORT_DIR}/{secrets.token_hex(16)}"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    written = 0
    try:
        with target.open("wb") as out:
            for chunk in upload.chunks():
                written += len(chunk)
                if written > limit:
                    raise too_large(written)
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return relative, digest.hexdigest()


def stored_file(run: ImportRun) -> Path:
    return Path(settings.MEDIA_ROOT) / run.stored_path


def _forget_file(run: ImportRun) -> None:
    if run.stored_path:
        stored_file(run).unlink(missing_ok=True)


@dataclass
class Preview:
    """What an import would do: the scan, the columns used, campaigns new and existing."""

    result: ScanResult
    source: str = ""
    columns: dict[str, str] = field(default_factory=dict)  # Roost field → export column
    header_line: int = 0
    delimiter: str = ","
    encoding: str = "utf-8"
    new_campaigns: list[str] = field(default_factory=list)
    existing_campaigns: list[str] = field(default_factory=list)
    problem: str = ""  # a file-level problem (encoding, header), when there is one

    @property
    def ok(self) -> bool:
        return not self.problem and self.result.ok

    @property
    def error_text(self) -> str:
        return self.problem or self.result.summary()


class _Campaigns:
    """The account's campaigns by key (external id) and, for those without one, by name."""

    def __init__(self, account: AdAccount) -> None:
        self.account = account
        self.by_key: dict[str, int] = {}
        self.unkeyed: dict[str, int] = {}
        self.known: dict[str, Flight] = {}
        for pk, name, ext, start, end in account.campaigns.values_list(
            "pk", "name", "external_id", "starts_on", "ends_on"
        ):
            flight = Flight(name, start, end)
            if ext:
                self.by_key[ext] = pk
                self.known[ext] = flight
            else:
                self.unkeyed.setdefault(name, pk)
                self.known.setdefault(name, flight)

    def exists(self, key: str, name: str) -> bool:
        return key in self.by_key or name in self.unkeyed

    def resolve(self, rows: Batch, actor: Membership | None) -> dict[str, int]:
        """Ids for the batch's campaigns: known ones, planned ones matched by name (they
        take the key from now on), and new ones (created without a budget)."""
        fresh: dict[str, str] = {}
        for row in rows:
            if row.key in self.by_key or row.key in fresh:
                continue
            pk = self.unkeyed.pop(row.name, None)
            if pk is not None:
                PaidCampaign.objects.filter(pk=pk).update(external_id=row.key)
                self.by_key[row.key] = pk
            else:
                fresh[row.key] = row.name
        if fresh:
            made = PaidCampaign.objects.bulk_create(
                PaidCampaign(
                    workspace_id=self.account.workspace_id,
                    ad_account=self.account,
                    name=name,
                    external_id=key,
                    created_by=actor.user if actor is not None else None,
                )
                for key, name in fresh.items()
            )
            ids = {c.external_id: c.pk for c in made}
            if any(pk is None for pk in ids.values()):  # a database without RETURNING
                ids = dict(
                    self.account.campaigns.filter(external_id__in=fresh).values_list(
                        "external_id", "pk"
                    )
                )
            self.by_key.update(ids)
        return self.by_key


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class _Writer:
    """Writes the rows that are new or changed; counts the rest as unchanged."""

    def __init__(self, account: AdAccount, campaigns: _Campaigns, origin: str) -> None:
        self.account = account
        self.campaigns = campaigns
        self.origin = origin
        self.run_id: int | None = None
        self.actor: Membership | None = None
        self.counts = Counts()
        self.existing: dict[int, int] = {}
        for cid, day, *figures in AdDay.objects.filter(campaign__ad_account=account).values_list(
            "campaign_id",
            "day",
            "spend",
            "impressions",
            "reach",
            "clicks",
            "conversions",
            "conversion_value",
        ):
            self.existing[(cid << _DAY_BITS) | day.toordinal()] = hash(tuple(figures))
        table = connection.ops.quote_name(AdDay._meta.db_table)
        columns = (
            "workspace_id, campaign_id, day, spend, impressions, reach, clicks, conversions, "
            "conversion_value, origin, import_run_id, updated_at"
        )
        updates = ", ".join(
            f"{c} = excluded.{c}"
            for c in (
                "spend",
                "impressions",
                "reach",
                "clicks",
                "conversions",
                "conversion_value",
                "origin",
                "import_run_id",
                "updated_at",
            )
        )
        # Only our own table and column names go into the text; the values are parameters.
        marks = "(" + ", ".join(["%s"] * 12) + ")"
        self.insert = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
        self.conflict = f" ON CONFLICT (campaign_id, day) DO UPDATE SET {updates}"
        self.sql = self.insert + marks + self.conflict
        # PostgreSQL: COPY into a temporary table, then one INSERT … SELECT (a round trip
        # per row, or psycopg's parsing of a statement with thousands of parameters, would
        # dominate). SQLite: executemany of one statement, which runs in C.
        self.copy = connection.vendor == "postgresql"
        self.columns = columns
        self.stage_made = False
        select = f"SELECT {columns} FROM {STAGE}"  # noqa: S608 - our own names only
        self.from_stage = f"INSERT INTO {table} ({columns}) {select}{self.conflict}"

    def __call__(self, rows: Batch) -> None:
        ids = self.campaigns.resolve(rows, self.actor)
        ops = connection.ops
        now = ops.adapt_datetimefield_value(clock.now())
        ws = self.account.workspace_id
        params = []
        existing = self.existing
        counts = self.counts
        for row in rows:
            cid = ids[row.key]
            figures = (
                row.spend,
                row.impressions,
                row.reach,
                row.clicks,
                row.conversions,
                row.conversion_value,
            )
            before = existing.get((cid << _DAY_BITS) | row.day.toordinal())
            if before is None:
                counts.created += 1
            elif before == hash(figures):
                counts.unchanged += 1
                continue
            else:
                counts.updated += 1
            params.append(
                (
                    ws,
                    cid,
                    ops.adapt_datefield_value(row.day),
                    ops.adapt_decimalfield_value(row.spend),
                    row.impressions,
                    row.reach,
                    row.clicks,
                    ops.adapt_decimalfield_value(row.conversions),
                    ops.adapt_decimalfield_value(row.conversion_value),
                    self.origin,
                    self.run_id,
                    now,
                )
            )
        if not params:
            return
        with connection.cursor() as cursor:
            if not self.copy:
                cursor.executemany(self.sql, params)
                return
            if not self.stage_made:
                cursor.execute(STAGE_SQL)
                self.stage_made = True
            cursor.execute(f"TRUNCATE {STAGE}")
            raw = cursor.cursor  # psycopg's own cursor, for COPY
            with raw.copy(f"COPY {STAGE} ({self.columns}) FROM STDIN") as copy:
                for values in params:
                    copy.write_row(values)
            cursor.execute(self.from_stage)


def _preview_of(
    account: AdAccount, lines: Iterable[tuple[int, list[str]]], matched: Matched
) -> Preview:
    campaigns = _Campaigns(account)
    result = scan(lines, matched, currency=account.currency, known=campaigns.known)
    preview = Preview(result, source=matched.mapping.source, columns=dict(matched.names))
    for key, name in result.campaigns.items():
        target = (
            preview.existing_campaigns if campaigns.exists(key, name) else preview.new_campaigns
        )
        target.append(name)
    return preview


def _header_currency_problem(account: AdAccount, matched: Matched, line: int) -> str:
    code = matched.header_currency
    if code and code != account.currency:
        return _("Row %(line)d, column %(column)s: %(code)s, but this account is in %(cur)s.") % {
            "line": line,
            "column": matched.names["spend"],
            "code": code,
            "cur": account.currency,
        }
    return ""


def preview_file(account: AdAccount, path: Path, source: str | None = None) -> Preview:
    """Read the export at `path` for `account` without writing anything."""
    try:
        table = open_table(path, source)
    except FileProblem as exc:
        return Preview(ScanResult(), problem=exc.message)
    with table:
        problem = _header_currency_problem(account, table.matched, table.header_line)
        if problem:
            return Preview(ScanResult(), source=table.mapping.source, problem=problem)
        try:
            preview = _preview_of(account, table.rows(), table.matched)
        except FileProblem as exc:
            return Preview(ScanResult(), source=table.mapping.source, problem=exc.message)
    preview.header_line = table.header_line
    preview.delimiter = table.delimiter
    preview.encoding = table.encoding
    return preview


def _source_of(account: AdAccount, source: str | None) -> str | None:
    if source:
        if source not in MAPPINGS:
            raise ValidationFailed({"source": [_("Choose Meta, LinkedIn, Google or TikTok.")]})
        return source
    return account.source if account.source in MAPPINGS else None


def import_upload(
    *, actor: Membership, account: AdAccount, upload: Upload, source: str | None = None
) -> tuple[ImportRun, Preview]:
    """Store an uploaded export and preview it: an ImportRun waiting for "Import", or
    failed with the errors (its file is then deleted)."""
    require(actor, Perm.MANAGE_BUDGETS)
    if account.workspace_id != actor.workspace_id:
        raise NotFound()
    wanted = _source_of(account, source)
    stored, sha = store_upload(upload)
    run = ImportRun(
        workspace_id=actor.workspace_id,
        ad_account=account,
        source=wanted or account.source,
        filename=(upload.name or "")[:255],
        sha256=sha,
        stored_path=stored,
        status=ImportStatus.PREVIEW,
        created_by=actor.user,
    )
    preview = preview_file(account, stored_file(run), wanted)
    run.source = preview.source or run.source
    run.rows = preview.result.rows
    if not preview.ok:
        _forget_file(run)
        run.stored_path = ""
        run.status = ImportStatus.FAILED
        run.error = preview.error_text
        run.finished_at = clock.now()
    run.save()
    return run, preview


def access_import(actor: Membership, import_id: int, perm: Perm = Perm.MANAGE_BUDGETS) -> ImportRun:
    """An import of the actor's workspace, checked for `perm`."""
    require(actor, perm)
    found = (
        ImportRun.objects.filter(workspace_id=actor.workspace_id, pk=import_id)
        .select_related("ad_account")
        .first()
    )
    if found is None:
        raise NotFound(_("No such import in this workspace."))
    return found


class _Failed(Exception):
    def __init__(self, text: str) -> None:
        self.text = text


def _write(
    account: AdAccount,
    lines: Iterable[tuple[int, list[str]]],
    matched: Matched,
    *,
    origin: str,
    run_id: int | None,
    actor: Membership | None,
) -> tuple[ScanResult, Counts]:
    """Scan and write in the caller's transaction; raises _Failed when a row is bad."""
    campaigns = _Campaigns(account)
    writer = _Writer(account, campaigns, origin)
    writer.run_id, writer.actor = run_id, actor
    result = scan(lines, matched, currency=account.currency, known=campaigns.known, on_batch=writer)
    if not result.ok:
        raise _Failed(result.summary())
    return result, writer.counts


def import_run(*, actor: Membership, run: ImportRun) -> ImportRun:
    """Import a previewed file: all rows or none; the stored file is deleted after."""
    require(actor, Perm.MANAGE_BUDGETS)
    if run.workspace_id != actor.workspace_id:
        raise NotFound()
    account = run.ad_account
    try:
        with transaction.atomic():
            # The claim: a second "Import" (or a concurrent one) finds nothing to take.
            claimed = ImportRun.objects.filter(pk=run.pk, status=ImportStatus.PREVIEW).update(
                status=ImportStatus.IMPORTED, finished_at=clock.now()
            )
            if not claimed:
                raise Conflict(_("This import has already been done (or has failed)."))
            try:
                table = open_table(stored_file(run), run.source)
            except FileProblem as exc:
                raise _Failed(exc.message) from None
            with table:
                problem = _header_currency_problem(account, table.matched, table.header_line)
                if problem:
                    raise _Failed(problem)
                try:
                    result, counts = _write(
                        account,
                        table.rows(),
                        table.matched,
                        origin="import",
                        run_id=run.pk,
                        actor=actor,
                    )
                except FileProblem as exc:
                    raise _Failed(exc.message) from None
            run.status = ImportStatus.IMPORTED
            run.rows = result.rows
            run.created, run.updated, run.unchanged = (
                counts.created,
                counts.updated,
                counts.unchanged,
            )
            run.finished_at = clock.now()
            run.save(
                update_fields=["status", "rows", "created", "updated", "unchanged", "finished_at"]
            )
            audit_record(
                workspace=actor.workspace,
                actor=actor.user,
                action="paid.imported",
                target=account,
                rows=run.rows,
                created=run.created,
                updated=run.updated,
                unchanged=run.unchanged,
                filename=run.filename,
            )
    except _Failed as failed:
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportStatus.FAILED, error=failed.text, finished_at=clock.now()
        )
    # Imported or failed: the file has served (a Conflict above leaves it to its owner).
    _forget_file(run)
    ImportRun.objects.filter(pk=run.pk).update(stored_path="")
    run.refresh_from_db()
    return run


# Push through the API: rows as JSON, checked by the same scan under these column names.
PUSH_FIELDS = FIELDS  # rows pushed as JSON carry Roost's own field names
PUSH_MATCH = Matched(
    MAPPINGS[AdSource.META],
    {k: i for i, k in enumerate(PUSH_FIELDS)},
    {k: k for k in PUSH_FIELDS},
    "",
)


def _push_lines(rows: list[dict[str, object]]) -> Iterator[tuple[int, list[str]]]:
    for number, row in enumerate(rows, start=1):
        yield number, ["" if row.get(k) is None else str(row.get(k)) for k in PUSH_FIELDS]


@dataclass
class PushResult:
    ok: bool
    rows: int
    counts: Counts
    errors: list[str]


def days_push(
    *, actor: Membership, account: AdAccount, rows: list[dict[str, object]], dry_run: bool = False
) -> PushResult:
    """Daily figures pushed as JSON rows: all or none, idempotent per (campaign, day)."""
    require(actor, Perm.MANAGE_BUDGETS)
    if account.workspace_id != actor.workspace_id:
        raise NotFound()
    if dry_run:
        preview = _preview_of(account, _push_lines(rows), PUSH_MATCH)
        return PushResult(preview.ok, preview.result.rows, Counts(), preview.result.errors)
    try:
        with transaction.atomic():
            result, counts = _write(
                account, _push_lines(rows), PUSH_MATCH, origin="api", run_id=None, actor=actor
            )
            audit_record(
                workspace=actor.workspace,
                actor=actor.user,
                action="paid.days_pushed",
                target=account,
                rows=result.rows,
                created=counts.created,
                updated=counts.updated,
                unchanged=counts.unchanged,
            )
    except _Failed as failed:
        return PushResult(False, 0, Counts(), failed.text.split("\n"))
    return PushResult(True, result.rows, counts, [])
