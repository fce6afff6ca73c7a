"""The topics' query language: a hand-written tokenizer and recursive-descent parser.

Grammar (precedence NOT > AND > OR; adjacent terms are joined by an implicit AND)::

    query   := or EOF
    or      := and ("OR" and)*
    and     := unary (["AND"] unary)*
    unary   := ("NOT" | "-") unary | primary
    primary := "(" or ")" | WORD | WORD* | "PHRASE" | #TAG | @HANDLE
             | lang:CODE | from:@HANDLE

Operators are upper case only ("or" is an ordinary word). Text and query are compared
after NFC + casefold, whole words only, with no stemming and no accent folding: "kawa"
does not match "kawę" (use `kaw*`). docs/listening.md has the table of examples.

`parse()` compiles a query once into closures over a `Doc` (a text tokenised once), so one
mention is matched against many topics cheaply; `QueryIndex` also skips topics that cannot
match because none of the terms they require occurs in the text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from django.utils.translation import gettext as _

MAX_LENGTH = 2000
MAX_DEPTH = 16  # nested parentheses and NOTs
MAX_TERMS = 200
MIN_PREFIX = 2  # letters before a trailing *

_WORD = re.compile(r"\w+")
_HASHTAG = re.compile(r"(?<!\w)#(\w+)")
_MENTION = re.compile(r"(?<![\w@])@(\w[\w.\-]*(?:@\w[\w.\-]*)?)")
_TAG_TERM = re.compile(r"\w+")
_HANDLE_TERM = re.compile(r"\w[\w.\-]*(?:@\w[\w.\-]*)?")
_FILTER = re.compile(r"([A-Za-z]+):(.*)", re.DOTALL)
_LANG = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})?")
_OPERATORS = frozenset({"AND", "OR", "NOT"})
_FILTERS = ("lang", "from")


def normalise(text: str) -> str:
    """Compare-ready text: NFC, casefolded (casefolding can decompose, so NFC again)."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())


def _handle_keys(handle: str) -> frozenset[str]:
    """A handle and its shorter forms: "roost.bsky.social" also answers to "roost" and
    "roost.bsky"; "roost@mastodon.social" also to "roost"."""
    handle = handle.strip().lstrip("@").rstrip(".-")
    if not handle:
        return frozenset()
    keys = {handle}
    for i, char in enumerate(handle):
        if char in ".@" and i:
            keys.add(handle[:i])
    return frozenset(keys)


class QueryError(ValueError):
    """A query that cannot be parsed; `position` is the 1-based character it is about."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass(frozen=True, slots=True)
class Doc:
    """A text tokenised once (NFC + casefold), matched against many queries."""

    words: frozenset[str]
    joined: str  # " w1 w2 … " for phrase search
    hashtags: frozenset[str]
    mentions: frozenset[str]  # handles and their shorter forms (see _handle_keys)
    language: str
    authors: frozenset[str]
    keys: frozenset[str]  # what QueryIndex looks up: words, word pairs, "#tag", "@handle"

    @classmethod
    def of(cls, text: str, *, language: str = "", author: str = "") -> Doc:
        norm = normalise(text)
        words = _WORD.findall(norm)
        hashtags = frozenset(_HASHTAG.findall(norm))
        mentions: set[str] = set()
        for handle in _MENTION.findall(norm):
            mentions |= _handle_keys(handle)
        word_set = frozenset(words)
        keys = set(word_set)
        keys.update(f"{a} {b}" for a, b in pairwise(words))
        keys.update("#" + tag for tag in hashtags)
        keys.update("@" + key for key in mentions)
        return cls(
            words=word_set,
            joined=" " + " ".join(words) + " ",
            hashtags=hashtags,
            mentions=frozenset(mentions),
            language=normalise(language).strip(),
            authors=_handle_keys(normalise(author)),
            keys=frozenset(keys),
        )


Matcher = Callable[[Doc], bool]


@dataclass(frozen=True, slots=True)
class _Term:
    """A leaf: how to match it, what to search a network for, and what to index it by."""

    match: Matcher
    search: str | None  # None: cannot be searched for (filters, wildcards)
    key: str | None  # None: no index key (filters, wildcards)


@dataclass(frozen=True, slots=True)
class _Node:
    match: Matcher
    # The smallest set of (search term, index key) of which every matching text contains
    # at least one; None when a text could match without any of them (NOT, filters).
    cover: tuple[tuple[str, str], ...] | None
    # The languages a matching text must be in; None: any.
    languages: frozenset[str] | None


@dataclass(frozen=True)
class Query:
    """A parsed topic query: `matches(doc)`, the terms to search networks with, and the
    languages it is limited to."""

    source: str
    search_terms: tuple[str, ...]
    languages: frozenset[str]
    # Index keys: a text lacking all of them cannot match.
    required_any: frozenset[str] = field(repr=False, compare=False)
    _match: Matcher = field(repr=False, compare=False)

    def matches(self, doc: Doc) -> bool:
        return self._match(doc)


# --- tokenizer ---------------------------------------------------------------------------

_LPAREN, _RPAREN, _AND, _OR, _NOT, _NEG, _TERM, _EOF = (
    "(",
    ")",
    "AND",
    "OR",
    "NOT",
    "-",
    "term",
    "end",
)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    pos: int  # 1-based
    term: _Term | None = None


def _tokens(source: str) -> list[_Token]:
    out: list[_Token] = []
    i, n = 0, len(source)
    while i < n:
        char = source[i]
        if char.isspace():
            i += 1
        elif char in "()":
            out.append(_Token(char, char, i + 1))
            i += 1
        elif char == '"':
            end = source.find('"', i + 1)
            if end < 0:
                raise QueryError(_("Unclosed quote at character %(pos)d") % {"pos": i + 1}, i + 1)
            phrase = _phrase(source[i + 1 : end], i + 1)
            out.append(_Token(_TERM, source[i : end + 1], i + 1, phrase))
            i = end + 1
        elif char == "-":
            # "-" starting a token is NOT; inside a word (e-mail) it is part of the word.
            if i + 1 >= n or source[i + 1].isspace():
                raise QueryError(_("Nothing after - at character %(pos)d") % {"pos": i + 1}, i + 1)
            out.append(_Token(_NEG, "-", i + 1))
            i += 1
        else:
            start = i
            while i < n and not source[i].isspace() and source[i] not in '()"':
                i += 1
            text = source[start:i]
            if text in _OPERATORS:
                out.append(_Token(text, text, start + 1))
            else:
                out.append(_Token(_TERM, text, start + 1, _bare(text, start + 1)))
    out.append(_Token(_EOF, "", n + 1))
    return out


def _phrase(inner: str, pos: int) -> _Term:
    words = _WORD.findall(normalise(inner))
    if not words:
        raise QueryError(_("Empty phrase at character %(pos)d") % {"pos": pos}, pos)
    return _words_term(words, '"' + " ".join(words) + '"')


def _words_term(words: list[str], search: str) -> _Term:
    if len(words) == 1:
        word = words[0]
        return _Term(lambda doc: word in doc.words, word, word)
    needle = " " + " ".join(words) + " "
    # Indexed by its first two words (a text's keys hold its word pairs too): a single
    # word such as "product" would make every "product N" topic a candidate.
    key = words[0] + " " + words[1]
    return _Term(lambda doc: needle in doc.joined, search, key)


def _bare(text: str, pos: int) -> _Term:
    filt = _FILTER.fullmatch(text)
    if text.startswith("#"):
        tag = normalise(text[1:])
        if not tag:
            raise QueryError(_("Empty #hashtag at character %(pos)d") % {"pos": pos}, pos)
        if not _TAG_TERM.fullmatch(tag):
            raise QueryError(
                _("Bad #hashtag '%(text)s' at character %(pos)d: use letters, digits and _")
                % {"text": text, "pos": pos},
                pos,
            )
        return _Term(lambda doc: tag in doc.hashtags, "#" + tag, "#" + tag)
    if text.startswith("@"):
        handle = _handle(text[1:], text, pos)
        return _Term(lambda doc: handle in doc.mentions, "@" + handle, "@" + handle)
    if filt:
        name, value = filt.group(1), filt.group(2)
        lname = name.lower()
        if lname == "lang":
            code = normalise(value)
            if not _LANG.fullmatch(code):
                raise QueryError(
                    _("lang: needs a language code such as lang:pl at character %(pos)d")
                    % {"pos": pos},
                    pos,
                )
            primary = code.split("-")[0]

            def by_language(doc: Doc) -> bool:
                return doc.language == code or doc.language.split("-")[0] == primary

            return _Term(by_language, None, "lang:" + code)
        if lname == "from":
            author = _handle(value.lstrip("@"), text, pos, what="from:")
            return _Term(lambda doc: author in doc.authors, None, None)
        raise QueryError(
            _("Unknown filter '%(name)s:' at character %(pos)d (filters are lang: and from:)")
            % {"name": name, "pos": pos},
            pos,
        )
    if "*" in text:
        star = text.index("*")
        if star != len(text) - 1:
            raise QueryError(
                _("* only at the end of a word, at character %(pos)d") % {"pos": pos + star},
                pos + star,
            )
        prefix = normalise(text[:-1])
        if not _TAG_TERM.fullmatch(prefix) or len(prefix) < MIN_PREFIX:
            raise QueryError(
                _("A wildcard needs at least %(n)d letters before * at character %(pos)d")
                % {"n": MIN_PREFIX, "pos": pos},
                pos,
            )

        def by_prefix(doc: Doc) -> bool:
            return any(word.startswith(prefix) for word in doc.words)

        return _Term(by_prefix, None, None)
    words = _WORD.findall(normalise(text))
    if not words:
        raise QueryError(
            _("Nothing to match in '%(text)s' at character %(pos)d") % {"text": text, "pos": pos},
            pos,
        )
    # "e-mail" or "don't" become the phrase "e mail" / "don t", as the text is split alike.
    return _words_term(words, words[0] if len(words) == 1 else '"' + " ".join(words) + '"')


def _handle(raw: str, text: str, pos: int, what: str = "@") -> str:
    handle = normalise(raw).rstrip(".-")
    if not handle or not _HANDLE_TERM.fullmatch(handle):
        if what == "from:":
            message = _("from: needs a handle such as from:@roost at character %(pos)d")
        else:
            message = _("Bad @mention '%(text)s' at character %(pos)d")
        raise QueryError(message % {"text": text, "pos": pos}, pos)
    return handle


# --- parser ------------------------------------------------------------------------------

_STARTS_UNARY = frozenset({_TERM, _NOT, _NEG, _LPAREN})


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.terms = 0

    def peek(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> _Node:
        node = self.or_(0, None)
        token = self.peek()
        if token.kind == _RPAREN:
            raise _unbalanced_close(token)
        return node

    def or_(self, depth: int, after: _Token | None) -> _Node:
        items = [self.and_(depth, after)]
        while self.peek().kind == _OR:
            items.append(self.and_(depth, self.take()))
        return items[0] if len(items) == 1 else _any(items)

    def and_(self, depth: int, after: _Token | None) -> _Node:
        items = [self.unary(depth, after)]
        while True:
            token = self.peek()
            if token.kind == _AND:
                items.append(self.unary(depth, self.take()))
            elif token.kind in _STARTS_UNARY:
                items.append(self.unary(depth, None))
            else:
                break
        return items[0] if len(items) == 1 else _all(items)

    def unary(self, depth: int, after: _Token | None) -> _Node:
        token = self.peek()
        if token.kind in (_NOT, _NEG):
            self.take()
            _check_depth(depth + 1, token)
            return _not(self.unary(depth + 1, token))
        return self.primary(depth, after)

    def primary(self, depth: int, after: _Token | None) -> _Node:
        token = self.take()
        if token.kind == _TERM:
            assert token.term is not None
            self.terms += 1
            if self.terms > MAX_TERMS:
                raise QueryError(
                    _("Too many terms at character %(pos)d (at most %(n)d)")
                    % {"pos": token.pos, "n": MAX_TERMS},
                    token.pos,
                )
            return _leaf(token.term)
        if token.kind == _LPAREN:
            _check_depth(depth + 1, token)
            if self.peek().kind == _RPAREN:
                raise QueryError(
                    _("Empty parentheses at character %(pos)d") % {"pos": token.pos}, token.pos
                )
            inner = self.or_(depth + 1, None)
            if self.peek().kind != _RPAREN:
                raise QueryError(
                    _("Unbalanced parenthesis: '(' at character %(pos)d is never closed")
                    % {"pos": token.pos},
                    token.pos,
                )
            self.take()
            return inner
        # Something that cannot start a term: say what is missing, and where.
        if after is not None:
            raise QueryError(
                _("Nothing after %(op)s at character %(pos)d")
                % {"op": after.text, "pos": after.pos},
                after.pos,
            )
        if token.kind in (_AND, _OR):
            raise QueryError(
                _("Nothing before %(op)s at character %(pos)d")
                % {"op": token.text, "pos": token.pos},
                token.pos,
            )
        if token.kind == _RPAREN:
            raise _unbalanced_close(token)
        raise QueryError(_("The query is empty"), None)


def _unbalanced_close(token: _Token) -> QueryError:
    return QueryError(
        _("Unbalanced parenthesis: ')' at character %(pos)d has no '('") % {"pos": token.pos},
        token.pos,
    )


def _check_depth(depth: int, token: _Token) -> None:
    if depth > MAX_DEPTH:
        raise QueryError(
            _("Too deeply nested at character %(pos)d (at most %(n)d levels)")
            % {"pos": token.pos, "n": MAX_DEPTH},
            token.pos,
        )


def _leaf(term: _Term) -> _Node:
    cover = None
    if term.search is not None and term.key is not None:
        cover = ((term.search, term.key),)
    languages = None
    if term.key is not None and term.key.startswith("lang:"):
        languages = frozenset({term.key.removeprefix("lang:")})
    return _Node(term.match, cover, languages)


def _all(items: list[_Node]) -> _Node:
    matchers = tuple(item.match for item in items)
    covers = [item.cover for item in items if item.cover is not None]
    # A text matching all of them contains one of any child's cover: take the smallest.
    cover = min(covers, key=len) if covers else None
    languages: frozenset[str] | None = None
    for item in items:
        if item.languages is not None:
            languages = item.languages if languages is None else languages & item.languages

    def match(doc: Doc) -> bool:
        return all(m(doc) for m in matchers)

    return _Node(match, cover, languages)


def _any(items: list[_Node]) -> _Node:
    matchers = tuple(item.match for item in items)
    cover: tuple[tuple[str, str], ...] | None = ()
    languages: frozenset[str] | None = frozenset()
    for item in items:
        cover = None if cover is None or item.cover is None else cover + item.cover
        languages = (
            None if languages is None or item.languages is None else languages | item.languages
        )

    def match(doc: Doc) -> bool:
        return any(m(doc) for m in matchers)

    return _Node(match, cover, languages)


def _not(item: _Node) -> _Node:
    inner = item.match
    return _Node(lambda doc: not inner(doc), None, None)


def parse(text: str) -> Query:
    """Parse and compile a topic query; raises QueryError naming the problem and where."""
    if len(text) > MAX_LENGTH:
        raise QueryError(
            _("The query is too long: %(n)d characters (at most %(max)d)")
            % {"n": len(text), "max": MAX_LENGTH},
            None,
        )
    if not text.strip():
        raise QueryError(_("The query is empty"), None)
    root = _Parser(_tokens(text)).parse()
    if not root.cover:
        raise QueryError(
            _(
                'Nothing to search for: add a word, "phrase", #hashtag or @mention that is '
                "not excluded (filters and wildcards only narrow what is found)"
            ),
            None,
        )
    search: dict[str, None] = {}
    for term, _key in root.cover:
        search.setdefault(term, None)
    return Query(
        source=text,
        search_terms=tuple(search),
        languages=root.languages or frozenset(),
        required_any=frozenset(key for _term, key in root.cover),
        _match=root.match,
    )


class QueryIndex[K: Hashable]:
    """Many queries, each under a key (a topic id): which match a document. Looks up only
    the queries one of whose required terms occurs in the text."""

    def __init__(self, queries: Iterable[tuple[K, Query]]) -> None:
        self._by_key: dict[str, list[tuple[int, K, Query]]] = {}
        self._count = 0
        for order, (key, query) in enumerate(queries):
            self._count += 1
            for term in query.required_any:
                self._by_key.setdefault(term, []).append((order, key, query))

    def __len__(self) -> int:
        return self._count

    def candidates(self, doc: Doc) -> list[tuple[K, Query]]:
        """The queries that may match `doc` (one of their required terms occurs in it), in
        the order they were given; whatever its language and author turn out to be."""
        found: dict[int, tuple[K, Query]] = {}
        by_key = self._by_key
        for term in doc.keys & by_key.keys():
            for order, key, query in by_key[term]:
                found[order] = (key, query)
        return [found[order] for order in sorted(found)]

    def matching(self, doc: Doc) -> list[K]:
        """The keys of the queries that match `doc`, in the order they were given."""
        return [key for key, query in self.candidates(doc) if query.matches(doc)]


def match_all(queries: Sequence[Query], doc: Doc) -> list[int]:
    """Indexes of the queries that match `doc` (no index: for a few queries)."""
    return [i for i, query in enumerate(queries) if query.matches(doc)]
