"""The topics' query language: what matches, and what a bad query is told."""

from __future__ import annotations

import pytest

from roost.listening.query import MAX_TERMS, Doc, QueryError, QueryIndex, parse

MATCHES = [
    # words: whole word, case-insensitive, NFC + casefold, no stemming
    ("kawa", "Dobra KAWA tutaj", True),
    ("kawa", "kawiarnia", False),
    ("kawa", "kawę proszę", False),
    ("kawę", "Poproszę KAWĘ", True),
    ("żółw", "ZÓŁW", False),
    ("żółw", "ŻÓŁW!", True),
    ("e\u0301te", "\u00e9te", True),  # decomposed é in the query matches composed é
    ("roost", "I like roost's app", True),
    # prefix wildcard (narrows only: a network cannot be searched for a prefix)
    ("roost kaw*", "roost: kawę proszę", True),
    ("roost kaw*", "Roost Kawiarnia", True),
    ("roost kaw*", "roost okawa", False),
    ("roost -kaw*", "roost okawa", True),
    # phrases: consecutive words
    ('"dobra kawa"', "to jest DOBRA, kawa!", True),
    ('"dobra kawa"', "kawa dobra", False),
    ('"dobra kawa"', "dobra i kawa", False),
    ("e-mail", "send an e mail", True),
    ("e-mail", "email", False),
    # hashtags and mentions
    ("#Roost", "loving #roost today", True),
    ("#roost", "loving roost today", False),
    ("roost", "loving #roost today", True),
    ("@roost", "hi @Roost.bsky.social!", True),
    ("@roost", "hi @roost@mastodon.social", True),
    ("@roost", "hi @roostapp", False),
    ("@roost.bsky.social", "hi @roost", False),
    # AND, implicit AND, OR, NOT, -term
    ("kawa AND herbata", "kawa i herbata", True),
    ("kawa AND herbata", "kawa", False),
    ("kawa herbata", "herbata, kawa", True),
    ("kawa herbata", "herbata", False),
    ("kawa OR herbata", "herbata", True),
    ("kawa OR herbata", "woda", False),
    ("kawa NOT herbata", "kawa", True),
    ("kawa NOT herbata", "kawa i herbata", False),
    ("kawa -herbata", "kawa i herbata", False),
    ("kawa -herbata", "kawa", True),
    ("kawa or herbata", "kawa herbata or", True),  # lower-case "or" is a word
    ("kawa or herbata", "kawa", False),
    # precedence: NOT > AND > OR
    ("a OR b AND c", "a", True),
    ("a OR b AND c", "b", False),
    ("a OR b AND c", "b c", True),
    ("(a OR b) AND c", "a", False),
    ("(a OR b) AND c", "a c", True),
    ("a b OR c", "c", True),
    ("a b OR c", "a", False),
    ("NOT a b", "b", True),
    ("NOT a b", "a b", False),
    ("b NOT a OR c", "a c", True),
    ("b NOT a OR c", "a b", False),
    ("b -(a OR c)", "b c", False),
    ("b -(a OR c)", "b", True),
    ("((a))", "A", True),
    # filters
    ("kawa lang:pl", "kawa", False),
    ("kawa lang:pl", "kawa [pl]", True),
    ("kawa lang:en", "kawa [en-GB]", True),
    ("kawa (lang:pl OR lang:en)", "kawa [en]", True),
    ("kawa (lang:pl OR lang:en)", "kawa [de]", False),
    ("kawa from:@Roost", "kawa {roost.bsky.social}", True),
    ("kawa from:roost", "kawa {roost}", True),
    ("kawa from:@roost", "kawa {other}", False),
    ("kawa -from:@roost", "kawa {roost.bsky.social}", False),
    ("kawa -from:@roost", "kawa {someone}", True),
    ("kawa -from:@roost", "kawa", True),
]


def _doc(text: str) -> Doc:
    """ "text [lang] {author}" → a Doc."""
    language = author = ""
    if "{" in text:
        text, author = text.split("{")
        author = author.rstrip("}")
    if "[" in text:
        text, language = text.split("[")
        language = language.strip().rstrip("]")
    return Doc.of(text.strip(), language=language, author=author)


@pytest.mark.parametrize(("query", "text", "expected"), MATCHES)
def test_matches(query: str, text: str, expected: bool) -> None:
    assert parse(query).matches(_doc(text)) is expected


@pytest.mark.parametrize(("query", "text", "expected"), MATCHES)
def test_the_index_agrees_with_matching_one_by_one(query: str, text: str, expected: bool) -> None:
    index = QueryIndex([("it", parse(query)), ("other", parse("zzz"))])
    assert index.matching(_doc(text)) == (["it"] if expected else [])


ERRORS = [
    ('kawa "dobra', "Unclosed quote at character 6", 6),
    ("kawa AND herbata OR", "Nothing after OR at character 18", 18),
    ("kawa AND", "Nothing after AND at character 6", 6),
    ("kawa NOT", "Nothing after NOT at character 6", 6),
    ("kawa AND OR b", "Nothing after AND at character 6", 6),
    ("kawa - b", "Nothing after - at character 6", 6),
    ("(kawa -)", "Nothing after - at character 7", 7),
    ("OR kawa", "Nothing before OR at character 1", 1),
    ("(AND kawa)", "Nothing before AND at character 2", 2),
    ("(kawa OR b", "Unbalanced parenthesis: '(' at character 1 is never closed", 1),
    ("kawa) b", "Unbalanced parenthesis: ')' at character 5 has no '('", 5),
    (")", "Unbalanced parenthesis: ')' at character 1 has no '('", 1),
    ("kawa ()", "Empty parentheses at character 6", 6),
    ("kawa lnag:pl", "Unknown filter 'lnag:' at character 6 (filters are lang: and from:)", 6),
    ("kawa lang:", "lang: needs a language code such as lang:pl at character 6", 6),
    ("kawa lang:polish", "lang: needs a language code such as lang:pl at character 6", 6),
    ("kawa from:", "from: needs a handle such as from:@roost at character 6", 6),
    ("kawa from:@", "from: needs a handle such as from:@roost at character 6", 6),
    ('kawa ""', "Empty phrase at character 6", 6),
    ('kawa "!!"', "Empty phrase at character 6", 6),
    ("kawa #", "Empty #hashtag at character 6", 6),
    ("kawa #ka-wa", "Bad #hashtag '#ka-wa' at character 6: use letters, digits and _", 6),
    ("kawa @", "Bad @mention '@' at character 6", 6),
    ("kawa k*wa", "* only at the end of a word, at character 7", 7),
    ("kawa k*", "A wildcard needs at least 2 letters before * at character 6", 6),
    ("kawa !!", "Nothing to match in '!!' at character 6", 6),
    ("", "The query is empty", None),
    ("   ", "The query is empty", None),
    ("x" * 2001, "The query is too long: 2001 characters (at most 2000)", None),
    ("(" * 17 + "a" + ")" * 17, "Too deeply nested at character 17 (at most 16 levels)", 17),
    ("NOT " * 17 + "a", "Too deeply nested at character 65 (at most 16 levels)", 65),
    (
        " ".join(["a"] * (MAX_TERMS + 1)),
        f"Too many terms at character {2 * MAX_TERMS + 1} (at most {MAX_TERMS})",
        2 * MAX_TERMS + 1,
    ),
    (
        "NOT kawa",
        'Nothing to search for: add a word, "phrase", #hashtag or @mention that is not '
        "excluded (filters and wildcards only narrow what is found)",
        None,
    ),
    (
        "lang:pl kaw*",
        'Nothing to search for: add a word, "phrase", #hashtag or @mention that is not '
        "excluded (filters and wildcards only narrow what is found)",
        None,
    ),
    (
        "kawa OR -herbata",
        'Nothing to search for: add a word, "phrase", #hashtag or @mention that is not '
        "excluded (filters and wildcards only narrow what is found)",
        None,
    ),
]


@pytest.mark.parametrize(("query", "message", "position"), ERRORS)
def test_bad_queries_are_told_what_and_where(
    query: str, message: str, position: int | None
) -> None:
    with pytest.raises(QueryError) as caught:
        parse(query)
    assert caught.value.message == message
    assert str(caught.value) == message
    assert caught.value.position == position


def test_the_longest_query_allowed_parses() -> None:
    assert parse("x" * 2000).search_terms == ("x" * 2000,)


def test_search_terms_are_the_smallest_cover_of_positive_terms() -> None:
    assert parse("kawa").search_terms == ("kawa",)
    assert parse('Kawa OR "Dobra  Kawa" OR #Kawa OR @Roost.bsky.social').search_terms == (
        "kawa",
        '"dobra kawa"',
        "#kawa",
        "@roost.bsky.social",
    )
    # AND: one side suffices (the one with fewer terms); NOT and filters are never searched.
    assert parse("roost (broken OR slow OR down)").search_terms == ("roost",)
    assert parse("(a OR b) (c OR d OR e) -x").search_terms == ("a", "b")
    assert parse("kaw* roost lang:pl -from:@roost").search_terms == ("roost",)
    assert parse("a OR a OR b").search_terms == ("a", "b")


def test_languages_come_from_the_lang_filters() -> None:
    assert parse("kawa").languages == frozenset()
    assert parse("kawa lang:pl").languages == frozenset({"pl"})
    assert parse("kawa (lang:pl OR lang:EN)").languages == frozenset({"pl", "en"})
    assert parse("kawa lang:pl lang:en").languages == frozenset()
    assert parse("kawa OR (tea lang:en)").languages == frozenset()
    assert parse("kawa -lang:pl").languages == frozenset()


def test_a_query_keeps_its_source_and_compares_by_it() -> None:
    query = parse("kawa  OR herbata")
    assert query.source == "kawa  OR herbata"
    assert query == parse("kawa  OR herbata")
    assert {query, parse("kawa  OR herbata")} == {query}


def test_the_index_skips_topics_whose_required_terms_are_absent() -> None:
    index = QueryIndex(
        [
            (1, parse("roost")),
            (2, parse("kawa OR herbata")),
            (3, parse('"dobra kawa" lang:pl')),
            (4, parse("#roost -from:@roost")),
            (5, parse("@roost")),
        ]
    )
    assert len(index) == 5
    assert index.matching(Doc.of("dobra kawa w #roost", language="pl")) == [1, 2, 3, 4]
    assert index.matching(Doc.of("#roost", author="roost.bsky.social")) == [1]
    assert index.matching(Doc.of("@roost.bsky.social hej")) == [1, 5]
    assert index.matching(Doc.of("nic")) == []
