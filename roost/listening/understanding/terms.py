"""Key terms: casefolded words and two-word phrases without stopwords, #hashtags and @handles."""

from __future__ import annotations

import re

from roost.listening.understanding.text import URL

MAX_TERMS = 20
MIN_WORD = 2

# Our own lists: the function words of everyday English and Polish posts (Polish also without
# diacritics, as people type them), plus social-media filler.
ENGLISH = """
a about above after again against all also am an and any are aren't as at be because been
before being below between both but by can can't cannot could couldn't did didn't do does
doesn't doing don't down during each few for from further get got had hadn't has hasn't have
haven't having he he'd he'll he's her here here's hers herself him himself his how how's i i'd
i'll i'm i've if im in into is isn't it it's its itself just let's me more most mustn't my
myself no nor not now of off on once only or other ought our ours ourselves out over own same
shan't she she'd she'll she's should shouldn't so some such than that that's the their theirs
them themselves then there there's these they they'd they'll they're they've this those
through to too under until up very was wasn't we we'd we'll we're we've were weren't what
what's when when's where where's which while who who's whom why why's will with won't would
wouldn't you you'd you'll you're you've your yours yourself yourselves ok okay yes yeah yep
lol rt via amp u ur dont cant wont im ive youre thats its gonna wanna really still even
much many one two also every oh hey hi hello please thanks thank
"""
POLISH = """
a aby ach acz aczkolwiek aj albo ale ależ ani aż bardziej bardzo bez bo bowiem by byli bym
byc być był była było były będzie będą cali cała cały ci cię ciebie co cokolwiek coś czasem
czemu czy czyli daleko dla dlaczego dlatego do dobrze dokąd dość dużo dwa dwaj dwie dwoje
dziś dzisiaj gdy gdyby gdyż gdzie gdziekolwiek gdzieś go i ich ile im inna inne inny innych
iż ja ją jak jakaś jakby jaki jakichś jakie jakiś jakiż jakkolwiek jako jakoś je jeden
jedna jedno jednak jednakże jego jej jemu jest jestem jeszcze jeśli jeżeli już ją każdy
kiedy kilka kimś kto ktokolwiek ktoś która które którego której który których którym
którzy ku lat lecz lub ma mają mam mi mimo między mną mnie mogą moi moim moja moje może
możliwe można mój mu musi my na nad nam nami nas nasi nasz nasza nasze naszego naszych
natomiast natychmiast nawet nic nich nie niech niego niej niemu nigdy nim nimi niż no o
obok od około on ona one oni ono oraz oto owszem pan pana pani po pod podczas pomimo ponad
ponieważ powinien powinna powinni powinno poza prawie przecież przed przede przedtem przez
przy roku również sam sama są się skąd sobie sobą sposób swoje ta tak taka taki takie także
tam te tego tej temu ten teraz też to tobą tobie toteż trzeba tu tutaj twoi twoim twoja
twoje twym twój ty tych tylko tym u w wam wami was wasz wasza wasze we według wiele wielu
więc więcej wszyscy wszystkich wszystkie wszystkim wszystko wtedy wy właśnie z za zapewne
zawsze ze zł znowu znów został żaden żadna żadne żadnych że żeby
sie juz jak jesli jezeli moze mozna wiec wiecej wszystko zeby ze byc bedzie beda swoj
ktory ktora ktore ktorych kiedys tez takze poniewaz miedzy wlasnie dzis jakis cos ktos
xd xdd hej siema dzieki dzięki pozdrawiam prosze proszę tylko jeszcze
"""
STOPWORDS = frozenset((ENGLISH + POLISH).split())

# Hashtags, handles (a handle may hold dots and a second @ for Mastodon), words (letters and
# digits, inner apostrophes and hyphens) and runs of sentence punctuation, which end phrases.
# One findall, told apart by the first character: that keeps a batch fast.
_TOKEN = re.compile(
    r"(?<![\w#])#[^\W_]\w*"
    r"|(?<![\w@])@[^\W_][\w.\-]*(?:@[\w.\-]*\w)?"
    r"|[^\W_](?:[\w'\-]*[^\W_])?"
    r"|[.,;:!?()\[\]\"\u201c\u201d\u201e\u2026|/]+"
)
_BREAKS = frozenset('.,;:!?()[]"\u201c\u201d\u201e\u2026|/')


def key_terms(text: str, limit: int = MAX_TERMS) -> tuple[str, ...]:
    """At most `limit` distinct terms of a cleaned text, in text order."""
    if "://" in text or "www." in text.lower():
        text = URL.sub(" . ", text)
    text = text.casefold().replace("\u2019", "'")
    found: dict[str, None] = {}
    previous = ""  # the last word, while a phrase may still continue it
    stopwords = STOPWORDS
    for token in _TOKEN.findall(text):
        first = token[0]
        if first in _BREAKS:
            previous = ""
            continue
        if first == "#" or first == "@":
            previous = ""
            found[token.rstrip(".-")] = None
        elif len(token) < MIN_WORD or token in stopwords or token.isdigit():
            previous = ""
            continue
        else:
            found[token] = None
            if previous:
                found[previous + " " + token] = None
            previous = token
        if len(found) >= limit:
            break
    return tuple(found)[:limit]
