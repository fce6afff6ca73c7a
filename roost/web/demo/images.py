"""Coffee-themed pictures for the demo's posts, drawn with Pillow at seed time (nothing is
downloaded, nothing binary is kept in the repository)."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 675
ESPRESSO = (59, 36, 25)
CREMA = (214, 170, 120)
MILK = (246, 238, 227)


@dataclass(frozen=True)
class Picture:
    """What to draw: a headline, a smaller line, the colours and a motif."""

    title: str
    subtitle: str
    background: tuple[int, int, int]
    ink: tuple[int, int, int]
    motif: str  # "cup", "beans", "bag" or "glass"


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # Pillow's own scalable default font: the same on every machine, no font files needed.
    return ImageFont.load_default(size=size)


def _cup(draw: ImageDraw.ImageDraw, x: int, y: int, ink: tuple[int, int, int]) -> None:
    draw.ellipse((x - 40, y + 215, x + 300, y + 265), fill=ink)  # saucer
    draw.rounded_rectangle(
        (x, y + 60, x + 260, y + 240), radius=60, fill=MILK, outline=ink, width=8
    )
    draw.ellipse((x + 5, y + 40, x + 255, y + 100), fill=CREMA, outline=ink, width=8)
    draw.ellipse((x + 95, y + 55, x + 165, y + 85), fill=MILK)  # latte-art heart, simply
    draw.arc((x + 225, y + 100, x + 320, y + 190), start=-90, end=90, fill=ink, width=14)
    for i in range(3):  # steam
        sx = x + 70 + i * 60
        draw.arc((sx - 20, y - 70, sx + 20, y - 10), start=90, end=270, fill=ink, width=6)
        draw.arc((sx - 20, y - 130, sx + 20, y - 70), start=270, end=90, fill=ink, width=6)


def _bean(draw: ImageDraw.ImageDraw, x: int, y: int, size: int) -> None:
    draw.ellipse((x, y, x + size, y + int(size * 1.35)), fill=ESPRESSO)
    draw.arc(
        (x + size // 4, y + 6, x + size * 3 // 4, y + int(size * 1.35) - 6),
        start=100,
        end=260,
        fill=CREMA,
        width=max(3, size // 12),
    )


def _beans(draw: ImageDraw.ImageDraw, x: int, y: int) -> None:
    for dx, dy, size in ((0, 40, 90), (120, 0, 110), (250, 60, 80), (60, 180, 100), (200, 190, 90)):
        _bean(draw, x + dx, y + dy, size)


def _bag(draw: ImageDraw.ImageDraw, x: int, y: int, ink: tuple[int, int, int]) -> None:
    draw.polygon([(x + 20, y), (x + 260, y), (x + 290, y + 360), (x - 10, y + 360)], fill=ink)
    draw.rectangle((x + 20, y - 30, x + 260, y + 10), fill=ink)
    draw.rounded_rectangle((x + 40, y + 110, x + 240, y + 250), radius=16, fill=MILK)
    _bean(draw, x + 110, y + 135, 60)


def _glass(draw: ImageDraw.ImageDraw, x: int, y: int, ink: tuple[int, int, int]) -> None:
    draw.polygon(
        [(x, y), (x + 220, y), (x + 190, y + 330), (x + 30, y + 330)], outline=ink, width=8
    )
    draw.polygon(
        [(x + 12, y + 90), (x + 208, y + 90), (x + 186, y + 318), (x + 34, y + 318)], fill=ESPRESSO
    )
    for cx, cy in ((60, 130), (120, 170), (90, 240)):  # ice
        draw.rounded_rectangle((x + cx, y + cy, x + cx + 50, y + cy + 50), radius=8, fill=MILK)
    draw.line((x + 150, y - 60, x + 120, y + 200), fill=CREMA, width=12)  # straw


def draw_png(picture: Picture) -> bytes:
    """The picture as PNG bytes (flat colours: about 30 kB)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), picture.background)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, HEIGHT - 70, WIDTH, HEIGHT), fill=picture.ink)
    draw.text((60, HEIGHT - 52), "Demo Coffee Co.", font=_font(34), fill=picture.background)
    motif = {
        "cup": lambda: _cup(draw, 800, 250, picture.ink),
        "beans": lambda: _beans(draw, 780, 180),
        "bag": lambda: _bag(draw, 840, 170, picture.ink),
        "glass": lambda: _glass(draw, 860, 180, picture.ink),
    }[picture.motif]
    motif()
    draw.multiline_text((60, 150), picture.title, font=_font(76), fill=picture.ink, spacing=12)
    draw.multiline_text((60, 390), picture.subtitle, font=_font(38), fill=picture.ink, spacing=10)
    out = BytesIO()
    image.save(out, format="PNG")  # optimize=True would take twice as long for 10% less
    return out.getvalue()
