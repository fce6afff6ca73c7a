"""What Demo Coffee Co. published over the last three weeks, and the pictures its posts
carry (drawn at seed time, see images.py). Data only: posts.py tells it."""

from __future__ import annotations

from dataclasses import dataclass

from roost.web.demo.images import CREMA, ESPRESSO, MILK, Picture

GREEN = (46, 84, 62)
SKY = (200, 222, 230)

# name: (picture, alt text)
PICTURES: dict[str, tuple[Picture, str]] = {
    "guji": (
        Picture("Ethiopia Guji\nis back", "Bright, floral, a little jammy.", MILK, ESPRESSO, "bag"),
        "A dark coffee bag with a single bean on its label, next to the words "
        "“Ethiopia Guji is back”.",
    ),
    "latte": (
        Picture("Latte art\nchallenge", "Show us yours: #CoffeeCoLatte", CREMA, ESPRESSO, "cup"),
        "A steaming cup of latte with a heart in the foam, on a saucer.",
    ),
    "oat": (
        Picture("New: oat\nflat white", "Creamy, nutty, 100% plant-based.", SKY, ESPRESSO, "cup"),
        "A flat white in a white cup on a pale blue background, announcing the oat version.",
    ),
    "coldbrew": (
        Picture("Cold brew\nworkshop", "This weekend, 10:00 · 12 seats", GREEN, MILK, "glass"),
        "A tall glass of cold brew with ice cubes and a straw.",
    ),
    "thanks": (
        Picture("10,000 of you.\nThank you!", "Coffee's on us tomorrow.", ESPRESSO, CREMA, "beans"),
        "Five roasted coffee beans scattered beside a thank-you message.",
    ),
    "winter": (
        Picture("Winter Blend\n2026", "Cinnamon, orange, dark chocolate.", ESPRESSO, MILK, "bag"),
        "A coffee bag on a dark background, announcing the Winter Blend 2026.",
    ),
}

Counts = tuple[int, int, int, int]  # likes, reposts, replies, quotes


@dataclass(frozen=True)
class Past:
    """A published post: `days` ago at `hour` (the workspace's time). It went to the
    channels it has counts for: "en" (Coffee Co. Sandbox) and/or "pl" (… Sandbox PL)."""

    name: str
    days: int
    hour: int
    text: str
    counts: dict[str, Counts]
    pl: str = ""  # the Polish channel's own text
    images: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    in_campaign: bool = False  # the Winter Blend 2026 campaign


HISTORY = [
    Past(
        "guji",
        20,
        9,
        "Our Ethiopia Guji is back: bright, floral, a little jammy. ☕ "
        "https://demo-coffee.example/guji",
        {"en": (184, 32, 14, 5), "pl": (96, 11, 7, 1)},
        pl="Wraca nasza Etiopia Guji: jasna, kwiatowa, lekko dżemowa. ☕",
        images=("guji",),
        tags=("product",),
    ),
    Past(
        "latte",
        17,
        15,
        "Latte art challenge! Show us yours with #CoffeeCoLatte — the best one gets a bag "
        "of beans.",
        {"en": (312, 45, 61, 12), "pl": (140, 19, 23, 3)},
        pl="Wyzwanie latte art! Pokażcie swoje z #CoffeeCoLatte.",
        images=("latte",),
        tags=("community",),
    ),
    Past(
        "roaster",
        14,
        11,
        "Behind the roaster: Marta listens for “first crack”, the moment the beans pop and "
        "the sugars start to caramelise. Ask her anything below.",
        {"en": (88, 9, 22, 2)},
        tags=("behind the scenes",),
    ),
    Past(
        "hours",
        10,
        8,
        "Winter hours: from Monday we open at 7:00 on weekdays. Early birds, your flat white "
        "is waiting.",
        {"en": (64, 12, 5, 0), "pl": (51, 8, 3, 0)},
        pl="Godziny zimowe: od poniedziałku otwieramy o 7:00 w dni robocze.",
    ),
    Past(
        "oat",
        7,
        10,
        "New on the menu: the oat flat white. Creamy, nutty, 100% plant-based. "
        "https://demo-coffee.example/menu",
        {"en": (226, 38, 19, 6), "pl": (118, 14, 9, 2)},
        pl="Nowość w menu: flat white na owsianym. Kremowe i w 100% roślinne.",
        images=("oat",),
        tags=("product",),
        in_campaign=True,
    ),
    Past(
        "coldbrew",
        4,
        12,
        "Cold brew workshop this weekend, 10:00: 12 seats, beans to take home. Sign up at "
        "https://demo-coffee.example/workshop",
        {"en": (97, 21, 16, 4)},
        images=("coldbrew",),
        tags=("events",),
    ),
    Past(
        "thanks",
        2,
        18,
        "10,000 of you! Thank you — coffee's on us tomorrow, all day.",
        {"en": (540, 96, 83, 21), "pl": (301, 44, 37, 8)},
        pl="Jest nas 10 000! Dziękujemy — jutro kawa na nasz koszt.",
        images=("thanks",),
        tags=("community",),
    ),
]
