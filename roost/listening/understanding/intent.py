"""Purchase intent: transparent weighted patterns, English and Polish.

Each pattern that matches adds its weight as an independent piece of evidence
(score = 1 − Π(1 − w)); a "no" pattern (never again, regret, already bought) multiplies the
score down. A post shows intent when the score reaches THRESHOLD. The patterns are the whole
model: read them to know why a post was flagged.
"""

# ruff: noqa: E501  # a pattern reads best on one line
from __future__ import annotations

import re

THRESHOLD = 0.5

_EN: list[tuple[float, str]] = [
    (
        0.9,
        r"\b(?:where|how) (?:can|do|could|should) (?:i|we) (?:buy|get|order|purchase|preorder|pre-order|sign up)",
    ),
    (
        0.9,
        r"\b(?:want|wanna|going|gonna|plan(?:ning)?|hoping|ready|need|about|intend(?:ing)?) (?:to )?(?:buy|order|purchase|get|grab|preorder|pre-order|subscribe|sign up|switch)\b",
    ),
    (
        0.85,
        r"\b(?:thinking (?:of|about)|considering|interested in|looking (?:for|at)|in the market for|saving (?:up )?for|shopping for) ",
    ),
    (
        0.9,
        r"\btake my money\b|\badd(?:ing|ed)? (?:this |it |them )?to (?:my )?cart\b|\bi'?(?:ll| will) (?:definitely |probably )?(?:buy|order|get|take)\b",
    ),
    (
        0.8,
        r"\bhow much (?:is|are|does|do|would|for)\b|\bwhat(?:'s| is) the (?:price|cost)\b|\bprice of\b|\bhow much\b.*\bcost",
    ),
    (
        0.8,
        r"\b(?:in stock|back in stock|available (?:yet|in|again|for)|still available|sold out)\b|\bdo you (?:have|sell|ship|deliver)\b",
    ),
    (
        0.75,
        r"\b(?:discount|promo|coupon) code\b|\b(?:deals?|sale|student price|trial|quote|demo|installments?|preorder|pre-order)\b",
    ),
    (
        0.7,
        r"\bwhich (?:one|size|model|plan|version|tier)\b.*\b(?:buy|get|order|choose|recommend)|\b(?:recommend|suggest)(?:ations?)? (?:me )?(?:a|an|one|any)\b|\bany suggestions\b",
    ),
    (
        0.7,
        r"\bis (?:it|the \w+) worth (?:it|the money|buying)\b|\bneed (?:a|an) new\b|\bwhich size should i\b",
    ),
    (
        0.6,
        r"\b(?:can i|could i) (?:buy|pay|book|add|order)\b|\bi'?d like to (?:order|buy|book)\b|\bwould love to order\b",
    ),
    (
        0.6,
        r"\bbuying (?:this|it|one) (?:week|weekend|month|today|tonight)\b|\b(?:this|next) (?:week|weekend|month)\b.*\bbuy",
    ),
    (
        0.5,
        r"\bwhen (?:does|do|will) (?:the )?(?:preorder|pre-order|sale|it) (?:open|start|launch|drop)|\bwhen does it launch\b",
    ),
]
_EN_NO: list[tuple[float, str]] = [
    (
        0.1,
        r"\bnever (?:buying|buy|order(?:ing)?|again)\b|\bregret (?:buying|ordering)\b|\bwaste of money\b",
    ),
    (
        0.3,
        r"\b(?:i |we )?(?:bought|ordered|purchased|got) (?:this|it|one|mine|them|the)\b.*\b(?:broke|broken|stopped|refund|return)",
    ),
    (
        0.3,
        r"\bnot interested\b|\bi'?ll pass\b|\bno thanks\b|\bcancel(?:led|ling)? my (?:subscription|order)\b|\bhow (?:do|can) i cancel\b",
    ),
]
_PL: list[tuple[float, str]] = [
    (0.9, r"\bgdzie (?:można |mogę |moge |mozna )?(?:kupić|kupic|zamówić|zamowic|dostać|dostac)\b"),
    (
        0.9,
        r"\b(?:chcę|chce|chciał(?:a|)bym|chciałbym|chcialbym|chciałabym|planuję|planuje|zamierzam|muszę|musze|myślę o|mysle o) (?:to )?(?:kupić|kupic|zamówić|zamowic|wykupić|wykupic|dokupić|dokupic|przejść|przejsc|podpisać|mieć|miec|zakup)",
    ),
    (
        0.9,
        r"\b(?:biorę|biore|kupię|kupie|zamawiam|zamówię|zamowie|zamówiłbym|zamówiłabym|dodaję do koszyka|dodaje do koszyka)\b",
    ),
    (
        0.85,
        r"\b(?:szukam|rozglądam się za|rozgladam sie za|poszukuję|zastanawiam się nad|interesuje mnie|odkładam na|odkladam na|planuję zakup|planuje zakup)\b",
    ),
    (
        0.8,
        r"\bile kosztuj[eą]\b|\b(?:jaka|jaki) jest (?:cena|koszt)\b|\bpodajcie cenę\b|\bcen[aęy] (?:i|za)\b",
    ),
    (
        0.8,
        r"\b(?:dostępn[yaei]|dostepn[yaei]|na stanie|w magazynie|wyprzeda)|\b(?:macie|sprzedajecie|wysyłacie|wysylacie)\b",
    ),
    (
        0.75,
        r"\b(?:kod(?:u)? rabatow|rabat|zniżk|znizk|promocj|black friday|raty|na raty|okres próbny|wycen|przedsprzeda|prezentacj)",
    ),
    (
        0.7,
        r"\b(?:który|ktory|jaki|jaką|jaka) (?:model|pakiet|rozmiar|plan|wersj[eę]) (?:wybrać|wybrac|zamówić|zamowic|polecacie|brać)|\b(?:polećcie|polecacie|co polecacie)\b",
    ),
    (
        0.7,
        r"\b(?:opłaca się|oplaca sie|warto brać|warto brac|warto kupić)\b|\bpotrzebuję nowego\b|\bpotrzebuje nowego\b",
    ),
    (
        0.6,
        r"\b(?:czy )?(?:można|mogę|moge|mozna) (?:kupić|kupic|zamówić|zamowic|zapłacić|zaplacic|dokupić)\b|\bjak (?:zamówić|zamowic|kupić|kupic)\b",
    ),
    (
        0.6,
        r"\bsą (?:jeszcze )?bilety\b|\bczy (?:jest|są) (?:jeszcze )?dostępn|\bmożliwość zakupu\b|\bchętnie zamówię\b",
    ),
]
_PL_NO: list[tuple[float, str]] = [
    (
        0.1,
        r"\bnigdy więcej\b|\bnigdy wiecej\b|\bżałuję zakupu\b|\bzaluje zakupu\b|\bstrata pieniędzy\b",
    ),
    (
        0.3,
        r"\b(?:kupiłem|kupiłam|kupilem|kupilam|zamówiłem|zamówiłam)\b.*\b(?:zepsu|reklamacj|zwrot|popsu)",
    ),
    (
        0.3,
        r"\bodpuszczam\b|\bpostoję\b|\bnie zamierzam\b|\bjak anulować\b|\banulowałem\b|\banulowałam\b",
    ),
]


def _compile(rules: list[tuple[float, str]]) -> list[tuple[float, re.Pattern[str]]]:
    return [(weight, re.compile(pattern)) for weight, pattern in rules]


def _any(rules: list[tuple[float, str]]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{pattern})" for _, pattern in rules))


_RULES = {"en": (_compile(_EN), _compile(_EN_NO)), "pl": (_compile(_PL), _compile(_PL_NO))}
# One pass that rules out most posts (no intent words at all) before the weighted patterns.
_TRIGGER = {"en": _any(_EN), "pl": _any(_PL)}


def intent_score(text: str, language: str) -> float:
    """0 … 1: the evidence that a lower-cased, cleaned text shows purchase intent.

    English and Polish patterns; a post in another language (or unsure) is read with both.
    """
    languages = (language,) if language in _RULES else ("en", "pl")
    best = 0.0
    for lang in languages:
        if not _TRIGGER[lang].search(text):
            continue
        rules, nos = _RULES[lang]
        missing = 1.0
        for weight, pattern in rules:
            if pattern.search(text):
                missing *= 1.0 - weight
        score = 1.0 - missing
        for factor, pattern in nos:
            if pattern.search(text):
                score *= factor
        best = max(best, score)
    return round(best, 4)
