"""The Sandbox's HTML pages: a plain feed anyone can read in a browser. All user text escaped."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from html import escape

from roost.networks.sandbox.conversation import ConvPost
from roost.networks.sandbox.state import Account, Post

BANNER = "Sandbox — a local test network, nothing here is public"

STYLE = """
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f6f6f3;color:#1d1d1b}
.banner{background:#ffd54a;color:#1d1d1b;padding:.8rem 1rem;font-weight:700;text-align:center;
border-bottom:3px solid #1d1d1b}
main{max-width:40rem;margin:1.5rem auto;padding:0 1rem}
article{background:#fff;border:1px solid #ddd;border-radius:.5rem;padding:1rem;margin:0 0 1rem}
.meta{color:#555;font-size:.9rem}.text{white-space:pre-wrap;overflow-wrap:anywhere;margin:.5rem 0}
figure{margin:.5rem 0}img{max-width:100%;height:auto;border-radius:.3rem}
figcaption{color:#555;font-size:.85rem}a{color:#0b5394}.reply{margin-left:1.5rem}
"""


def _time(ts: float) -> str:
    """A <time> element in UTC."""
    moment = datetime.fromtimestamp(ts, UTC)
    return (
        f'<time datetime="{moment.isoformat()}">{moment.strftime("%Y-%m-%d %H:%M:%S UTC")}</time>'
    )


def post_html(post: Post, account: Account | None, *, css_class: str = "") -> str:
    """One post as an <article>: who, when, text, images with their alt text."""
    handle = account.handle if account else "unknown"
    lang = f' lang="{escape(post.language)}"' if post.language else ""
    classes = f' class="{css_class}"' if css_class else ""
    parts = [
        f'<article{classes} id="post-{post.id}">',
        f'<div class="meta"><a href="/@{escape(handle)}">@{escape(handle)}</a> · ',
        f'<a href="/posts/{post.id}">{_time(post.created_at)}</a>',
    ]
    if post.reply_to is not None:
        parts.append(f' · in reply to <a href="/posts/{post.reply_to}">post {post.reply_to}</a>')
    parts.append("</div>")
    if post.text:
        parts.append(f'<p class="text"{lang}>{escape(post.text)}</p>')
    for position, image in enumerate(post.media):
        alt = escape(image.alt)
        caption = f"<figcaption>Alt text: {alt}</figcaption>" if image.alt else ""
        parts.append(
            f'<figure><img src="/media/{post.id}/{position}" alt="{alt}" loading="lazy">'
            f"{caption}</figure>"
        )
    parts.append("</article>")
    return "".join(parts)


def page(title: str, body: str) -> str:
    """A whole HTML document around `body`, with the Sandbox banner on top."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · Sandbox</title><style>{STYLE}</style></head><body>"
        f'<div class="banner" role="banner">{escape(BANNER)}</div>'
        f"<main>{body}</main></body></html>"
    )


def feed_page(
    title: str,
    posts: Sequence[Post],
    account_of: Callable[[Post], Account | None],
    *,
    older_href: str | None,
) -> str:
    """A list of posts, newest first, with a link to older ones."""
    items = "".join(post_html(post, account_of(post)) for post in posts)
    if not items:
        items = "<p>Nothing here yet. Publish from Roost to a Sandbox channel.</p>"
    older = f'<p><a href="{escape(older_href)}">Older posts</a></p>' if older_href else ""
    ads = '<p class="meta"><a href="/ads">Sandbox Ads</a>: the simulated ad network</p>'
    return page(title, f"<h1>{escape(title)}</h1>{ads}{items}{older}")


def post_page(
    post: Post, replies: Sequence[Post], account_of: Callable[[Post], Account | None]
) -> str:
    """One post with its replies under it."""
    body = post_html(post, account_of(post)) + "".join(
        post_html(reply, account_of(reply), css_class="reply") for reply in replies
    )
    return page(f"Post {post.id}", f'<p><a href="/">← Sandbox feed</a></p>{body}')


def public_post_page(post: ConvPost) -> str:
    """One post of the made-up public conversation (see conversation.py)."""
    body = (
        f'<article id="public-{post.id}">'
        f'<div class="meta">@{escape(post.author_handle)} ({escape(post.author_name)}) · '
        f"{_time(post.created_at)} · a made-up public post</div>"
        f'<p class="text" lang="{escape(post.language)}">{escape(post.text)}</p>'
        "</article>"
    )
    return page(f"Public post {post.id}", body)
