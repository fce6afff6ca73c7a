"""The Sandbox Ads' HTTP routes, under /api/ads/ (and the /ads page), on the Sandbox server.

Creating a boost or a split test is idempotent per Idempotency-Key: a repeat answers the
first object (200) and never makes a second. Faults are the network's own knobs: latency,
429, 503 and revoked tokens strike before anything is made; a lost answer after it is.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from aiohttp import web

from roost.networks.sandbox import pages, rules
from roost.networks.sandbox.ads import (
    AdsState,
    Campaign,
    account_id_of,
    campaign_json,
    parse_day,
)
from roost.networks.sandbox.state import Account, ApiError

if TYPE_CHECKING:
    from roost.networks.sandbox.server import SandboxServer

KINDS = {"boosts": "boost", "split-tests": "split_test", "campaigns": "campaign"}


class AdsRoutes:
    """The handlers, around the server's state (accounts, posts, faults) and an AdsState."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.ads = AdsState()

    @property
    def _state(self) -> Any:
        return self.server.state

    async def accounts(self, request: web.Request) -> web.Response:
        """GET /api/ads/accounts → the token's ad accounts (one)."""
        account = await self.server._authenticate(request)
        return web.json_response({"accounts": [self.ads.account_json(account)]})

    async def create(self, request: web.Request) -> web.Response:
        """POST /api/ads/{boosts|split-tests|campaigns}: make one per Idempotency-Key."""
        kind = KINDS[request.match_info["kind"]]
        account = self._state.authenticate(request.headers.get("Authorization", ""))
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key and kind != "campaign":
            raise ApiError(400, "the Idempotency-Key header is required")
        if len(key) > rules.MAX_IDEMPOTENCY_KEY:
            raise ApiError(
                400,
                f"the Idempotency-Key header is longer than {rules.MAX_IDEMPOTENCY_KEY} characters",
            )
        body = await self.server._json(request)
        await self.server._latency()
        self._state.roll_faults()
        found = self.ads.existing(account, kind, key) if key else None
        if found is not None:
            return web.json_response(campaign_json(found), status=200)
        post = self._boosted_post(account, body) if kind == "boost" else None
        campaign = self.ads.create(account, kind, key, body, post)
        if self._state.roll_lost_response():
            raise ApiError(503, f"the {kind} was made but the answer was lost (injected)")
        return web.json_response(campaign_json(campaign), status=201)

    def _boosted_post(self, account: Account, body: object) -> Any:
        """The live post a boost is for, the caller's own; 400 otherwise."""
        raw = body.get("post_id") if isinstance(body, dict) else None
        try:
            post = self._state.live_post(raw)
        except ApiError:
            raise ApiError(400, f"post_id: post {str(raw)[:40]!r} does not exist") from None
        if post.account_id != account.id:
            raise ApiError(400, f"post_id: post {post.id} belongs to another account")
        return post

    async def find(self, request: web.Request) -> web.Response:
        """GET /api/ads/{kind}?idempotency_key=K → the object made with K ([] if none);
        without a key, the account's objects of that kind."""
        kind = KINDS[request.match_info["kind"]]
        account = await self.server._authenticate(request)
        key = request.query.get("idempotency_key")
        if key is not None:
            found = self.ads.find(account, kind, key)
        else:
            found = [c for c in self.ads.of_account(account) if c.kind == kind]
        return web.json_response({"items": [campaign_json(c) for c in found]})

    async def insights(self, request: web.Request) -> web.Response:
        """GET /api/ads/insights?account_id=&since=&until= → daily figures per campaign and
        per ad (ad_id set), for days the ads clock has passed."""
        account = await self.server._authenticate(request)
        self.ads.check_account(account, request.query.get("account_id"))
        since = parse_day(request.query.get("since"), "since")
        until = parse_day(request.query.get("until"), "until")
        if since > until:
            raise ApiError(400, "since must not be after until")
        if (until - since).days >= 400:
            raise ApiError(400, "ask for at most 400 days at a time")
        return web.json_response(
            {"today": self.ads.today.isoformat(), "rows": self.ads.insights(account, since, until)}
        )

    async def simulate(self, request: web.Request) -> web.Response:
        """POST /api/ads/simulate {"days": n} → the ads clock n days on (control: no token)."""
        return web.json_response(self.ads.simulate(await self.server._json(request)))

    async def control(self, request: web.Request) -> web.Response:
        """POST /api/ads/control {"currency": {handle: code}, "ads": {ad_id: {ctr, cvr}}}."""
        body = await self.server._json(request)
        return web.json_response(self.ads.control(body, self._state.by_handle))

    async def stats(self, request: web.Request) -> web.Response:
        """GET /api/ads/stats → objects per key, requests per key, the ads clock."""
        return web.json_response(self.ads.stats())

    async def page(self, request: web.Request) -> web.Response:
        """GET /ads → every ad account's campaigns, labelled as the Sandbox's."""
        rows = []
        for campaign in self.ads.campaigns.values():
            owner = self._state.accounts.get(campaign.account_id)
            rows.append(_campaign_row(campaign, owner))
        table = (
            "<table><thead><tr><th>Ad account</th><th>Campaign</th><th>Kind</th>"
            "<th>Budget</th><th>Days</th><th>Ads</th></tr></thead><tbody>"
            + "".join(rows)
            + "</tbody></table>"
            if rows
            else "<p>No campaigns yet.</p>"
        )
        body = (
            "<h1>Sandbox Ads</h1>"
            f"<p>Simulated ad network. Ads clock: {self.ads.today.isoformat()}.</p>{table}"
        )
        return web.Response(
            text=pages.page("Sandbox Ads", body),
            content_type="text/html",
            headers={
                "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
                "X-Content-Type-Options": "nosniff",
            },
        )


def _campaign_row(campaign: Campaign, owner: Account | None) -> str:
    ads = ", ".join(
        escape(f"{ad.id}{' (' + ad.label + ')' if ad.label else ''}") for ad in campaign.ads
    )
    account = escape(f"{account_id_of(owner)} @{owner.handle}") if owner else "?"
    return (
        f"<tr><td>{account}</td><td>{escape(campaign.name)}</td><td>{campaign.kind}</td>"
        f"<td>{campaign.budget}</td><td>{campaign.days}</td><td>{ads}</td></tr>"
    )


def add_routes(app: web.Application, routes: AdsRoutes) -> None:
    """Mount the ads routes on the Sandbox's application."""
    kinds = "{kind:boosts|split-tests|campaigns}"
    app.add_routes(
        [
            web.get("/api/ads/accounts", routes.accounts),
            web.post(f"/api/ads/{kinds}", routes.create),
            web.get(f"/api/ads/{kinds}", routes.find),
            web.get("/api/ads/insights", routes.insights),
            web.post("/api/ads/simulate", routes.simulate),
            web.post("/api/ads/control", routes.control),
            web.get("/api/ads/stats", routes.stats),
            web.get("/ads", routes.page),
        ]
    )
