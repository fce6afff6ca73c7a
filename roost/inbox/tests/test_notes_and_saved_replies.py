"""Internal notes (the team's, never the customer's) and saved replies managed by the
people who use them: personal ones for anyone who replies, shared ones for the people
who run the inbox."""

from __future__ import annotations

import json

from django.test import Client

from roost.conftest import World, token_for
from roost.inbox.models import InternalNote, Message, SavedReply
from roost.inbox.services import collab
from roost.inbox.tests.conftest import put
from roost.networks.base import InboundKind

URL = "/w/alpha/inbox/"
SAVED = URL + "saved-replies/"


def html(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- notes -----------------------------------------------------------------------------


def test_a_note_is_shown_to_the_team_and_never_sent(world: World) -> None:
    routed = world.a_inbox.message
    messages_before = Message.objects.count()
    care = world.client_for("customer_care")
    response = care.post(f"{URL}{routed.pk}/notes/", {"text": "Called her back, parcel found"})
    assert response.status_code == 302

    note = InternalNote.objects.get()
    assert (note.message_id, note.author_id) == (routed.pk, world.members["customer_care"].pk)
    assert note.conversation_id == routed.conversation_id
    # Not a message: nothing outgoing was stored (the network is reached only for those).
    assert Message.objects.count() == messages_before
    assert not Message.objects.filter(outgoing=True).exists()

    for role in ("owner", "community_manager", "analyst", "customer_care", "sales"):
        pane = html(world.client_for(role), f"{URL}{routed.pk}/")
        assert 'data-testid="note"' in pane, role
        assert "Called her back, parcel found" in pane
        assert "Internal note</strong> · Alpha Customer Care" in pane

    # The API's item (its public thread) has no notes.
    token = token_for(world.members["owner"], ["read"])
    answer = Client().get(
        f"/api/v1/workspaces/alpha/inbox/{routed.pk}", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert answer.status_code == 200
    assert "parcel found" not in json.dumps(answer.json())


def test_anyone_who_can_read_the_item_can_add_a_note(world: World) -> None:
    # The analyst reads the whole inbox but may not reply: notes are still theirs to add.
    hidden = put(world.a_channel, "n-1", "Not routed")
    analyst = world.client_for("analyst")
    assert analyst.post(f"{URL}{hidden.pk}/notes/", {"text": "Looks like spam"}).status_code == 302
    # Care cannot open it, so cannot note on it either (it does not exist for them).
    care = world.client_for("customer_care")
    assert care.post(f"{URL}{hidden.pk}/notes/", {"text": "x"}).status_code == 404
    assert InternalNote.objects.count() == 1


def test_a_note_on_an_item_not_routed_to_me_stays_hidden(world: World) -> None:
    root = put(world.a_channel, "n-root", "First message, not routed")
    reply = put(
        world.a_channel,
        "n-reply",
        "Follow-up",
        kind=InboundKind.REPLY,
        parent_id="n-root",
        root_id="n-root",
    )
    assert reply.conversation_id == root.conversation_id
    Message.objects.filter(pk=reply.pk).update(group=world.a_inbox.group)
    collab.note_add(actor=world.members["owner"], message=root, text="About the first: VIP")
    collab.note_add(actor=world.members["owner"], message=reply, text="About the follow-up")
    pane = html(world.client_for("customer_care"), f"{URL}{reply.pk}/")
    assert "About the follow-up" in pane and "VIP" not in pane
    assert "About the first: VIP" in html(world.client_for("owner"), f"{URL}{reply.pk}/")


def test_an_empty_or_huge_note_is_refused(world: World) -> None:
    client = world.client_for("owner")
    routed = world.a_inbox.message
    response = client.post(f"{URL}{routed.pk}/notes/", {"text": "   "})
    assert response.status_code == 422 and "This field is required." in response.content.decode()
    response = client.post(f"{URL}{routed.pk}/notes/", {"text": "x" * 5001})
    assert response.status_code == 422
    assert "at most 5000 characters" in response.content.decode()
    assert not InternalNote.objects.exists()


# --- saved replies ---------------------------------------------------------------------


def test_care_keeps_personal_saved_replies(world: World) -> None:
    care = world.client_for("customer_care")
    response = care.post(SAVED, {"name": "Parcel", "text": "Hi {first_name}, it is on its way."})
    assert response.status_code == 302
    mine = SavedReply.objects.get(name="Parcel")
    assert mine.owner_id == world.members["customer_care"].pk
    # Asking to share it does not make it shared: care does not write for the team.
    care.post(SAVED, {"name": "Sorry", "text": "Sorry!", "shared": "on"})
    assert SavedReply.objects.get(name="Sorry").owner_id == world.members["customer_care"].pk

    pane = html(care, f"{URL}{world.a_inbox.message.pk}/")
    assert "Hi Customer, it is on its way." in pane  # offered, filled in
    assert "it is on its way" not in html(
        world.client_for("owner"), f"{URL}{world.a_inbox.message.pk}/"
    )

    response = care.post(f"{SAVED}{mine.pk}/", {"name": "Parcel", "text": "Changed"})
    assert response.status_code == 302 and SavedReply.objects.get(pk=mine.pk).text == "Changed"
    assert care.post(f"{SAVED}{mine.pk}/delete/").status_code == 302
    assert not SavedReply.objects.filter(pk=mine.pk).exists()


def test_shared_saved_replies_are_written_by_people_who_assign(world: World) -> None:
    celina = world.client_for("community_manager")
    response = celina.post(SAVED, {"name": "Thanks", "text": "Thank you!", "shared": "on"})
    assert response.status_code == 302
    shared = SavedReply.objects.get(name="Thanks")
    assert shared.owner_id is None
    page = html(world.client_for("customer_care"), SAVED)
    assert "Thank you!" in page and f"{SAVED}{shared.pk}/" not in page  # used, not edited
    assert "Shared replies are written by the people who assign inbox work" in page

    care = world.client_for("customer_care")
    assert care.get(f"{SAVED}{shared.pk}/").status_code == 403
    assert care.post(f"{SAVED}{shared.pk}/", {"name": "Mine", "text": "x"}).status_code == 403
    assert care.post(f"{SAVED}{shared.pk}/delete/").status_code == 403
    assert SavedReply.objects.get(pk=shared.pk).text == "Thank you!"

    assert (
        celina.post(f"{SAVED}{shared.pk}/", {"name": "Thanks", "text": "Cheers!"}).status_code
        == 302
    )
    assert SavedReply.objects.get(pk=shared.pk).text == "Cheers!"
    assert world.client_for("owner").post(f"{SAVED}{shared.pk}/delete/").status_code == 302
    assert not SavedReply.objects.filter(pk=shared.pk).exists()


def test_saved_replies_stay_with_their_owner_and_workspace(world: World) -> None:
    mine = collab.saved_reply_create(
        actor=world.members["customer_care"], name="Mine", text="Private", shared=False
    )
    # Another person's personal reply does not exist for them, even for an owner.
    owner = world.client_for("owner")
    assert owner.get(f"{SAVED}{mine.pk}/").status_code == 404
    assert owner.post(f"{SAVED}{mine.pk}/delete/").status_code == 404
    assert "Private" not in html(owner, SAVED)
    outsider = world.client_for("owner")
    outsider.force_login(world.b_owner.user)
    assert outsider.get(SAVED).status_code == 404
    # The analyst does not reply, so has no saved replies to manage.
    assert world.client_for("analyst").get(SAVED).status_code == 403
    assert SavedReply.objects.get(pk=mine.pk).text == "Private"


def test_saved_reply_input_is_checked(world: World) -> None:
    care = world.client_for("customer_care")
    assert care.post(SAVED, {"name": "A", "text": "One"}).status_code == 302
    response = care.post(SAVED, {"name": "A", "text": "Two"})
    assert response.status_code == 422
    assert "A saved reply with this name exists already." in response.content.decode()
    response = care.post(SAVED, {"name": "", "text": ""})
    assert response.status_code == 422
    # The same name as someone else's personal one, or a shared one, is fine.
    assert world.client_for("sales").post(SAVED, {"name": "A", "text": "Three"}).status_code == 302
    assert SavedReply.objects.filter(name="A").count() == 2
