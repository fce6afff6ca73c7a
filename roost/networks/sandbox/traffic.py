"""Inbound traffic for the Sandbox: simulated people who reply to accounts and mention them.

Half English, half Polish; complaints, purchase intent, questions and praise; replies to an
account's recent posts, follow-ups within those threads, and plain @mentions. Deterministic
for a seed, and cheap: a hundred thousand posts take a second or two.
"""

from __future__ import annotations

import random
import time
from collections import deque

from roost.networks.sandbox.state import Account, ApiError, Post, SandboxState

MAX_COUNT = 100_000  # inbound posts per POST /api/inbound
RECENT_POSTS = 20  # an account's newest posts that people reply to
# Stable handles: tests and demos can name who wrote. (handle, name, language)
PEOPLE = (
    ("anna-k.sandbox", "Anna Kowalczyk", "pl"),
    ("piotr-w.sandbox", "Piotr Wiśniewski", "pl"),
    ("kasia-n.sandbox", "Kasia Nowak", "pl"),
    ("marek-z.sandbox", "Marek Zieliński", "pl"),
    ("ola-lewandowska.sandbox", "Ola Lewandowska", "pl"),
    ("tomek-d.sandbox", "Tomek Dąbrowski", "pl"),
    ("emily-r.sandbox", "Emily Roberts", "en"),
    ("james-o.sandbox", "James O'Connor", "en"),
    ("priya-s.sandbox", "Priya Shah", "en"),
    ("lucas-m.sandbox", "Lucas Martin", "en"),
    ("grace-h.sandbox", "Grace Huang", "en"),
    ("sam-b.sandbox", "Sam Brooks", "en"),
)
HANDLES = frozenset(handle for handle, _name, _language in PEOPLE)

# What people say, by language and by what they want.
TEXTS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "complaint": (
            "my order arrived cold",
            "Still waiting for my order from last Tuesday. Anyone there?",
            "The beans I got were stale, really disappointed.",
            "You charged me twice for one order!",
            "The package was damaged when it arrived :(",
        ),
        "purchase": (
            "do you ship to Kraków?",
            "How much is a 1 kg bag?",
            "Can I order a gift box for Friday?",
            "Do you have decaf in stock?",
            "Is there a discount for 10 kg for our office?",
        ),
        "question": (
            "What time do you open on Sundays?",
            "Do you have oat milk?",
            "Is the café wheelchair accessible?",
            "Can I pay by card?",
        ),
        "praise": (
            "Best flat white in town, thank you!",
            "Love the new packaging 😍",
            "Great service today, thanks!",
        ),
        "follow_up": (
            "Same here!",
            "Any update on this?",
            "+1, I would like to know too",
            "Thanks for the quick answer!",
        ),
    },
    "pl": {
        "complaint": (
            "zamówienie nie dotarło",
            "Kawa przyszła zimna, bardzo słabo.",
            "Paczka była uszkodzona :(",
            "Pobraliście opłatę dwa razy za jedno zamówienie!",
            "Czekam na zamówienie od tygodnia, co się dzieje?",
        ),
        "purchase": (
            "ile kosztuje kilogram?",
            "Czy wysyłacie do Gdańska?",
            "Chcę zamówić 5 kg dla biura — jest rabat?",
            "Macie jeszcze bezkofeinową?",
            "Czy mogę zamówić zestaw prezentowy na piątek?",
        ),
        "question": (
            "O której otwieracie w niedzielę?",
            "Czy można płacić kartą?",
            "Macie mleko owsiane?",
            "Czy kawiarnia jest dostępna dla wózków?",
        ),
        "praise": (
            "Najlepsza kawa w mieście, dziękuję!",
            "Super obsługa, polecam!",
            "Nowe opakowania są piękne 😍",
        ),
        "follow_up": (
            "Też czekam!",
            "Są jakieś wieści?",
            "+1, też chciałbym wiedzieć",
            "Dzięki za szybką odpowiedź!",
        ),
    },
}
# How often people want what: complaints and purchase intent are what an inbox is for.
TOPICS = ("complaint", "purchase", "question", "praise")
TOPIC_WEIGHTS = (3, 3, 3, 1)


def parse_request(state: SandboxState, body: object) -> tuple[Account, int, int]:
    """The account, count and seed of a POST /api/inbound body, or a 4xx."""
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object")
    handle, count, seed = body.get("handle"), body.get("count", 1), body.get("seed")
    if not isinstance(handle, str):
        raise ApiError(400, "handle must be the handle of an account, such as 'demo.sandbox'")
    account = state.by_handle.get(handle.removeprefix("@"))
    if account is None or account.simulated:
        raise ApiError(404, f"there is no account @{handle.removeprefix('@')}")
    if not (_is_int(count) and 1 <= count <= MAX_COUNT):
        raise ApiError(400, f"count must be a whole number from 1 to {MAX_COUNT}")
    if seed is None:
        seed = state.next_post_id  # deterministic for the same world
    elif not (_is_int(seed) and 0 <= seed < 2**63):
        raise ApiError(400, "seed must be a whole number from 0")
    return account, count, seed


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def people(state: SandboxState) -> tuple[list[Account], dict[str, list[Account]]]:
    """The simulated people by language, and those just created (to be saved)."""
    made = state.add_people((handle, name) for handle, name, _language in PEOPLE)
    by_language: dict[str, list[Account]] = {"en": [], "pl": []}
    for handle, _name, language in PEOPLE:
        account = state.by_handle[handle]
        if account.simulated:  # an old file's account with this handle is not one of ours
            by_language[language].append(account)
    return made, by_language


def generate(
    state: SandboxState,
    account: Account,
    count: int,
    rng: random.Random,
    by_language: dict[str, list[Account]],
) -> list[Post]:
    """`count` new posts to `account` from simulated people; returns them, in id order."""
    languages = [language for language, who in by_language.items() if who]
    if not languages:
        return []
    own = [post.id for post in state.recent(account_id=account.id, limit=RECENT_POSTS)]
    # Replies made so far, so later people can join those threads.
    threads: deque[int] = deque(maxlen=64)
    mention = f"@{account.handle}"
    now = time.time()
    made: list[Post] = []
    for _ in range(count):
        language = rng.choice(languages)
        author = rng.choice(by_language[language])
        texts = TEXTS[language]
        roll = rng.random()
        reply_to: int | None = None
        if own and roll < 0.35:
            reply_to = rng.choice(own)
            text = rng.choice(texts[rng.choices(TOPICS, TOPIC_WEIGHTS)[0]])
        elif threads and roll < 0.5:
            reply_to = rng.choice(threads)
            text = rng.choice(texts["follow_up"])
        else:
            text = rng.choice(texts[rng.choices(TOPICS, TOPIC_WEIGHTS)[0]])
            text = f"{mention} {text}" if roll < 0.8 else f"{text} {mention}"
        post = state.add_inbound(author, text, reply_to=reply_to, language=language, at=now)
        if reply_to is not None:
            threads.append(post.id)
        made.append(post)
    return made
