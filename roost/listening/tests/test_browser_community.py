"""Issue 13's "done when", in a real browser: a community manager creates a brand topic,
sees mentions with sentiment arrive from the Sandbox's public conversation, gets a spike
alert, pauses publishing, sends a mention to the inbox, and the next morning's brief lists
all of it."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from roost.briefing.models import Brief
from roost.briefing.services import briefs_send_due, is_working_day, morning_at, settings_for
from roost.channels.services import connect_with_form
from roost.core import clock
from roost.listening.models import Alert, Mention, SearchCursor, Topic, TopicMention
from roost.listening.services.alerts import alerts_check
from roost.listening.services.collect import listening_collect
from roost.networks.sandbox.conversation import HISTORY_DAYS
from roost.networks.sandbox.testing import SandboxHandle
from roost.notifications.models import Notification
from roost.publishing.tests.conftest import sandbox  # noqa: F401 - fixture
from roost.web.tests.browser import page  # noqa: F401 - fixture
from roost.web.tests.pages import sign_in, visit

QUERY = '"demo coffee" OR #democoffee'


def _next_morning(workspace: Any) -> Any:
    """The first stand-up time after now on a working day (the workspace's zone)."""
    settings = settings_for(workspace)
    zone = workspace.tzinfo
    day = clock.now().astimezone(zone).date()
    for ahead in range(8):
        candidate = day + timedelta(days=ahead)
        at = morning_at(settings, candidate, zone)
        if is_working_day(settings, candidate) and at > clock.now():
            return at
    raise AssertionError("no working day in a week")


def test_a_community_manager_listens_is_alerted_pauses_and_reads_the_brief(
    live_server: Any,
    world: Any,
    page: Any,  # noqa: F811 - the fixture
    sandbox: SandboxHandle,  # noqa: F811 - the fixture
    django_capture_on_commit_callbacks: Any,
) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    slug = world.a.slug
    manager = world.members["social_media_manager"]
    channel = connect_with_form(actor=manager, network="sandbox", fields={"name": "Coffee Sandbox"})
    # The Sandbox's own story bursts (a launch, a complaint wave, and one burst a day for
    # HISTORY_DAYS days before the anchor) are set around a moment beyond all of them, so
    # the last weeks are ordinary talk: the burst planted below is the only spike, and the
    # topic's baseline is ordinary whatever the hour. (Three weeks on left daily complaint
    # bursts in the baseline, and at some hours its negative share was too high to see
    # the planted wave as a negative spike.)
    ahead = (HISTORY_DAYS + 2) * 86_400
    sandbox.control(conversation_anchor=int(clock.now().timestamp()) + ahead)
    sign_in(page, base, world, "community_manager")

    # A brand topic, written in the query language, through the form.
    visit(page, f"{base}/w/{slug}/listening/topics/new/")
    form = page.get_by_test_id("topic-form")
    form.get_by_label("Name").fill("Demo Coffee")
    form.get_by_label("Kind").select_option("brand")
    form.get_by_role("textbox", name="Query").fill(QUERY)
    form.get_by_label("Alert on volume spikes").check()
    form.get_by_label("Alert on negative spikes").check()
    form.get_by_test_id("topic-save").click()
    expect(page).to_have_url(re.compile(rf"/w/{slug}/listening/topics/\d+/$"))
    topic = Topic.objects.get(workspace=world.a, name="Demo Coffee")
    assert (topic.query, topic.alert_volume, topic.alert_negative) == (QUERY, True, True)

    # The collection job searches the Sandbox's public conversation: mentions arrive,
    # each understood offline (sentiment, language).
    first = listening_collect(workspace_ids=[world.a.pk])
    assert first.new > 0
    # The world's own fixture channel points at an address the outbound guard refuses;
    # the Sandbox channel connected here searched without a failure.
    assert not SearchCursor.objects.filter(channel=channel).exclude(last_error="").exists()
    stored = Mention.objects.filter(workspace=world.a)
    assert stored.count() == first.new
    assert TopicMention.objects.filter(topic=topic).count() == first.new
    sentiments = set(stored.values_list("sentiment", flat=True))
    assert sentiments == {-1, 0, 1}  # the conversation holds all three
    visit(page, f"{base}/w/{slug}/listening/mentions/?topic={topic.pk}&range=7d")
    expect(page.get_by_test_id("mention-sentiment").first).to_be_visible()
    expect(page.get_by_test_id("mention-text").first).to_be_visible()

    # A complaint burst right now: a negative spike, alerted once, to the community manager.
    sandbox.plant("#democoffee", count=2000, sentiment="negative", language="en")
    # The next poll, five minutes on: the searches are due again.
    SearchCursor.objects.filter(channel=channel).update(next_poll_at=clock.now())
    second = listening_collect(workspace_ids=[world.a.pk])
    assert second.new > 1_900  # the burst arrives in one poll (it reads up to 3,000 per term)
    with django_capture_on_commit_callbacks(execute=True):
        fired = alerts_check()
    assert Alert.Kind.NEGATIVE in {a.kind for a in fired if a.topic_id == topic.pk}
    assert alerts_check() == []  # the same spike does not alert twice
    cm_user = world.members["community_manager"].user
    told = Notification.objects.filter(recipient=cm_user, kind="listening.negative_spike")
    assert told.count() == 1
    visit(page, f"{base}/w/{slug}/listening/alerts/")
    expect(page.get_by_test_id("alert-table")).to_contain_text("Demo Coffee")
    expect(page.get_by_test_id("alert-table")).to_contain_text("Negative")

    # The crisis switch: publishing paused with a reason, shown on every page.
    visit(page, f"{base}/w/{slug}/publishing/pause/")
    pause_form = page.get_by_test_id("pause-form")
    pause_form.get_by_label("Reason").fill("Cold-delivery complaints: hold posts")
    page.get_by_test_id("pause-submit").click()
    visit(page, f"{base}/w/{slug}/listening/")
    expect(page.get_by_test_id("pause-banner")).to_contain_text("Cold-delivery complaints")

    # One of the complaints goes to the Smart Inbox.
    visit(page, f"{base}/w/{slug}/listening/mentions/?topic={topic.pk}&sentiment=-1&range=24h")
    page.get_by_test_id("send-to-inbox").first.click()
    expect(page.get_by_test_id("in-inbox").first).to_be_visible()
    sent = Mention.objects.get(workspace=world.a, inbox_message_id__isnull=False)
    assert sent.sentiment == -1

    # The next morning's brief, sent by the scheduled job, lists all of it.
    morning = _next_morning(world.a)
    with django_capture_on_commit_callbacks(execute=True):
        assert briefs_send_due(now=morning) >= 1
    brief = Brief.objects.get(workspace=world.a)
    visit(page, f"{base}/w/{slug}/brief/{brief.date.isoformat()}/")
    agenda = page.get_by_test_id("brief-agenda")
    expect(agenda.locator('[data-section="overnight"]')).to_contain_text("inbox")
    risks = agenda.locator('[data-section="risks"]')
    expect(risks).to_contain_text("Publishing is paused")
    expect(risks).to_contain_text("Demo Coffee")
    expect(agenda.locator('[data-section="trending"]')).to_contain_text("Demo Coffee")
    # Each line links to what is behind it: the negative spike to its mentions.
    spike_link = risks.get_by_role("link").filter(has_text="Demo Coffee").first
    spike_link.click()
    expect(page).to_have_url(re.compile(rf"/w/{slug}/listening/"))
    # Sent once, by the job (e-mail and webhook go to whoever the brief's settings name).
    assert brief.sent_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        assert briefs_send_due(now=morning) == 0
