"""Post text the way Mastodon sees it: its length against the limit, and its plain text."""

from __future__ import annotations

from html.parser import HTMLParser

import regex

# Mastodon counts a post as the content warning plus the text, in grapheme clusters, with
# every link counted as `characters_reserved_per_url` (23) and "@user@domain" as "@user"
# (app/validators/status_length_validator.rb). Links are found the way twitter-text does
# with a protocol: not glued to a word, mention or tag, ending on a character that can
# end a link. This follows Mastodon closely, not exactly (twitter-text also checks the
# top-level domain); the server has the last word and a 422 comes back as REJECTED.
_URL = regex.compile(r"(?<![\w@\uFF20$#\uFF03/])https?://\w[^\s<>\"]*", regex.IGNORECASE)
_URL_END = regex.compile(r"[\w/=+#&-]")
# Account::MENTION_RE: "@user" optionally followed by "@domain".
_MENTION = regex.compile(
    r"(?<![=/\w])@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?:@(\w+(?:[.-]+\w+)*))?",
    regex.IGNORECASE,
)
_GRAPHEME = regex.compile(r"\X")


def graphemes(text: str) -> int:
    """Number of user-perceived characters (extended grapheme clusters) in `text`."""
    return len(_GRAPHEME.findall(text))


def countable_text(text: str, url_chars: int = 23) -> str:
    """`text` with each link as `url_chars` placeholder characters and mentions as "@user"."""
    placeholder = "x" * url_chars

    def link(match: regex.Match[str]) -> str:
        url = _trim_url(match.group(0))
        return placeholder + match.group(0)[len(url) :]

    return _MENTION.sub(r"@\1", _URL.sub(link, text))


def status_length(text: str, spoiler_text: str = "", url_chars: int = 23) -> int:
    """How long Mastodon considers a post with this text and content warning."""
    return graphemes(spoiler_text) + graphemes(countable_text(text, url_chars))


def _trim_url(url: str) -> str:
    # A link does not end on punctuation ("see https://example.com.") nor on a closing
    # bracket it did not open ("(https://example.com/a)"), as in twitter-text.
    while url:
        last = url[-1]
        if last == ")" and url.count("(") >= url.count(")"):
            break
        if last != ")" and _URL_END.fullmatch(last):
            break
        url = url[:-1]
    return url


def plain_text(html: str) -> str:
    """The text of a status's HTML `content`: paragraphs and line breaks kept, tags dropped."""
    parser = _TextParser()
    parser.feed(html or "")
    parser.close()
    return "".join(parser.chunks).strip()


def comparable(text: str) -> str:
    """A form of post text that survives Mastodon's rendering: "@user" mentions, one-space
    whitespace. Equal for the text Roost sent and the plain text of the status it became."""
    return " ".join(_MENTION.sub(r"@\1", text).split())


def mentions(text: str, local_domain: str) -> set[str]:
    """Every account `text` mentions, as lower-case "user@domain" ("@user" is local)."""
    return {
        f"{match.group(1)}@{match.group(2) or local_domain}".lower()
        for match in _MENTION.finditer(text)
    }


class _TextParser(HTMLParser):
    """Collects text; <br> is a line break and each <p> after the first starts a paragraph."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.chunks.append("\n")
        elif tag == "p" and self.chunks:
            self.chunks.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)
