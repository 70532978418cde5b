"""Is an English question about the material at all?  Its words, not only one similarity score.

English questions meet Chinese passages across languages, where multilingual-e5-small compresses
scores: out-of-scope English questions (CSS, a laptop, a mobile app) score as high as real ones, so
one threshold cannot separate them (eval/README.md, refusal).  Their *words* can: a question about
the material names at least some of its topics, in the material's own English words (tool and
resource names, terms written in Latin letters) or in the bilingual glossary's learner words.  A
question whose content words are mostly foreign to both, and whose best passage is also only
weakly similar, is out of scope.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tutor.chain.glossary import FRAMING, GLOSSARY
from tutor.markdown import scan

__all__ = [
    "OFF_TOPIC_BELOW",
    "Words",
    "content_words",
    "described_words",
    "english_vocabulary",
    "foreign",
    "topic_coverage",
]

#: a set of known English words (the material's vocabulary, or words known for one question)
Words = frozenset[str]

#: an English question is judged by its words only below this dense score (above it, it is answered) ...
OFF_TOPIC_BELOW = 0.81
#: ... and up to this one when nearly all its words are foreign: "How do I build a list view in SwiftUI for my
#: iOS app?" scores 0.811 with one word in five known; no in-scope English question of own/dev/spent scores under
#: it with three or more content words and at most one in five known (eval/README.md, ans12)
FOREIGN_BELOW = 0.83

_CJK = re.compile(r"[\u4e00-\u9fff]")
_WORD = re.compile(r"[a-z][a-z0-9+#]*(?:[.\-][a-z0-9+#]+)*")
_URL = re.compile(r"https?://\S+|www\.\S+")
# function words, and the words any question is made of ("what does it recommend", "tell me")
_STOP = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing done down during each few for from further
    had has have having he her here hers him his how i if in into is it its itself just me more most my
    no nor not now of off on once only or other our out over own same she should so some such than that
    the their them then there these they this those through to too under until up very was we were what
    when where which while who whom why will with would you your yours yourself ok okay please pls hi
    hello thanks thank tell give show say says said mention mentions mentioned suggest suggests recommend
    recommends recommended according want wants need needs know knew able good best better really like
    stuff thing things make makes get gets got use using used new way ways help lot lots much many one
    two three kind sort actually also else ever every something anything someone anybody think start
    starting go going come let put set take keep find look looking try trying buy list lists include
    includes cover covers covered must might shall may absolutely train""".split()
)
# ("train", like "make" or "use", takes its topic from its object: "train a model", "train for a marathon")
# words about the material itself: a question using them asks about it
_META = frozenset(
    "roadmap article articles essay essays material materials curriculum section sections document "
    "documents tutor chapter course stage stages skill skills milestone milestones".split()
)


# the glossary's framing words ("qualities", "what it takes") name a kind of section, not a topic: neither the
# material's word nor a foreign one
_FRAMING = frozenset(w for key in FRAMING for w in _WORD.findall(key.lower()))


def _glossary_words() -> set[str]:
    return {w for key in GLOSSARY for w in _WORD.findall(key.lower()) if w not in _STOP}


def english_vocabulary(texts: Iterable[str]) -> frozenset[str]:
    """The English words of the material's prose (code and URLs left out) plus the glossary's words."""
    words = _glossary_words() | set(_META)
    for text in texts:
        for line in scan(text.splitlines()):
            if not line.code:
                words.update(_WORD.findall(_URL.sub(" ", line.text).lower()))
    return frozenset(w for w in words if w not in _STOP)


def described_words(descriptions: Iterable[str]) -> Words:
    """The content words of a concept's own English descriptions (the lexicon's, `tutor.index.lexicon`).

    A concept answer is given only when the lexicon found the concept the question describes, clearly ahead of
    every other; the learner's words for it ("re-ordering the retrieved documents with a second model") are then
    the material's for that question, though the roadmap says only 重排序.  Only the winning concept's words:
    "a marathon plan — where is that taught?" shares none of them."""
    return frozenset(w for text in descriptions if not _CJK.search(text) for w in content_words(text))


def content_words(question: str) -> list[str]:
    """The question's content words; a hyphenated compound counts as its parts ("midlife-crisis" ->
    midlife, crisis), the way the glossary and the material's prose spell them."""
    words = [p for w in _WORD.findall(question.lower()) for p in ([w] if "." in w else w.split("-"))]
    return [w for w in words if len(w) >= 2 and w not in _STOP]


def _topic_words(question: str) -> list[str]:
    """The content words that could name a topic: not the glossary's framing words ("qualities")."""
    return [w for w in content_words(question) if w not in _FRAMING]


def _known(word: str, vocabulary: frozenset[str]) -> bool:
    stems = {word, word.removesuffix("s"), word.removesuffix("es"), word.removesuffix("ing")}
    return any(s in vocabulary for s in stems if len(s) >= 2)


def topic_coverage(question: str, vocabulary: frozenset[str]) -> float | None:
    """Share of the question's content words the material knows (None: no content words at all)."""
    words = _topic_words(question)
    if not words:
        return None
    return sum(_known(w, vocabulary) for w in words) / len(words)


def foreign(question: str, vocabulary: frozenset[str], relevance: float, own_words: bool = True) -> bool:
    """Out of scope by its words: most of them foreign below `OFF_TOPIC_BELOW`, nearly all of them (at most
    one in five known, three or more words) below `FOREIGN_BELOW` when the question is the learner's own words
    (a follow-up's rewrite carries the earlier turn's words: "…full time? And if I only have evenings and
    weekends?").  English questions only (the caller)."""
    if relevance >= (FOREIGN_BELOW if own_words else OFF_TOPIC_BELOW):
        return False
    coverage = topic_coverage(question, vocabulary)
    if coverage is None:
        return False
    if relevance < OFF_TOPIC_BELOW:
        return coverage < 0.5
    return coverage <= 0.2 and len(_topic_words(question)) >= 3
