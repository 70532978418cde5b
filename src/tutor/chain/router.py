"""Which path a message takes: the curriculum planner, retrieval, or a short steer-back reply.

High-precision rules in both languages decide first; what no rule claims goes to
a nearest-neighbour vote over labelled examples (configs/router.yaml) with the
embedder already loaded for retrieval, so paraphrases the rules miss still route.
Measured by `tutor eval router` on eval/router.jsonl (utterances not among the
examples).  Out-of-scope *questions* ("法国的首都是哪里") go to retrieval, where
the relevance threshold refuses them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import yaml

from tutor.errors import ConfigError
from tutor.resources.intent import asks_for_resources, recommends_resources

if TYPE_CHECKING:
    from tutor.index.embeddings import TutorEmbeddings

__all__ = ["Route", "RouteKind", "Router", "route_message", "ROUTES", "load_router_examples"]

RouteKind = Literal["next_step", "material", "chitchat"]
ROUTES: tuple[RouteKind, ...] = ("next_step", "material", "chitchat")

_NEXT_ZH = re.compile(
    r"接下来|下一步|下一阶段|下个阶段|之后(该|要|再|应该)?学|以后(该|要|再)?学|然后(该|要|再)?学|再学(什么|啥|哪)"
    r"|该学(什么|啥|哪)|学(什么|啥)好|先学(什么|啥|哪)|从哪(儿|里)?(开始|入手|学起|起步)|怎么入门|如何入门|怎样入门"
    r"|入门(该|要|应该)|学习(路线|路径|计划|顺序)(怎么|如何|是什么|给我)|给我.*(规划|计划|路线)|帮我.*(规划|计划|安排)"
    r"|(学完|学好|掌握了|搞定了|会了).*(学什么|学啥|然后|接着|之后|以后|下一|该|怎么办|呢)"
    r"|我(已经|刚|刚刚)?(学完|学会|掌握|会)了?.*[，,].*(学|下一|接下来)|零基础.*(学|开始)|下一个(技能|阶段)"
    r"|推荐.*(学习路线|学习顺序|下一步)|还(应该|需要|要)学(什么|啥|哪)"
)
_NEXT_EN = re.compile(
    r"\b(learn|study|do|tackle|pick up|focus on)\b.{0,20}\bnext\b|\bnext (step|skill|topic|stage)s?\b"
    r"|what (should|do|would|can) i (learn|study|do|read|focus on)\b|where (should|do|can) i (start|begin)"
    r"|how (do|should|can) i (start|begin|get started)|\b(learning|study) (path|plan|order|roadmap)\b"
    r"|\broadmap for me\b|\bafter (learning|finishing|completing|mastering)\b|\bwhat comes (next|after)\b"
    r"|\bi('ve| have)? (already )?(learned|learnt|finished|completed|mastered|know)\b.*\b(what|next|now)\b"
    r"|\bwhat to (learn|study)\b|\bwhich (skill|topic|stage) (should|to)\b|\bcomplete beginner\b|\bplan my\b",
    re.IGNORECASE,
)
_CHITCHAT = re.compile(
    r"^\s*(你好|您好|嗨|哈喽|hello|hi|hey|早上好|中午好|晚上好|早安|晚安|good (morning|evening|afternoon|night)"
    r"|谢谢|多谢|感谢|谢啦|thanks?( you)?|thx|ok|okay|好的|好|嗯|嗯嗯|哈哈+|lol|再见|拜拜|bye|goodbye|see you"
    r"|你是谁|你叫什么(名字)?|你是什么|你能做什么|你会做什么|你会什么|你有什么用|who are you|what are you"
    r"|what can you do|how are you|你好吗|你怎么样|在吗|在不在|are you there|测试|test|nice|cool|不错|太棒了|great"
    r"|awesome)[\s!！。.?？~～,，啦呀哦了]*$",
    re.IGNORECASE,
)
_OFF_TOPIC = re.compile(
    r"天气|weather|笑话|\bjokes?\b|讲个故事|tell me a story|写(一)?首诗|\bpoem\b|彩票|lottery|股票|\bstocks?\b"
    r"|星座|horoscope|(中午|晚上|今天)吃什么|what should i eat|电影推荐|recommend a movie|你喜欢|do you like"
    r"|你多大|how old are you|你有女朋友|唱首歌|sing a song|几点了|what time is it",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Route:
    kind: RouteKind
    reason: str


def route_message(text: str) -> Route:
    """The rules alone (no model): what `Router` falls back to without an embedder."""
    stripped = text.strip()
    if not stripped:
        return Route("chitchat", "empty message")
    if _CHITCHAT.match(stripped):
        return Route("chitchat", "greeting, thanks or small talk")
    if _OFF_TOPIC.search(stripped):
        return Route("chitchat", "outside the learning material")
    if recommends_resources(stripped):
        return Route("material", "asks for resources: answered from the material and its resource tables")
    if _NEXT_ZH.search(stripped) or _NEXT_EN.search(stripped):
        return Route("next_step", "asks what to learn next")
    if asks_for_resources(stripped):
        return Route("material", "asks for resources: answered from the material and its resource tables")
    return Route("material", "a question about the material")


def load_router_examples(path: Path) -> dict[str, list[str]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        examples = {str(k): [str(t) for t in v] for k, v in data["examples"].items()}
    except (OSError, yaml.YAMLError, KeyError, AttributeError, TypeError) as exc:
        raise ConfigError(
            f"Router examples {path} unreadable ({exc}); expected 'examples: {{route: [text, ...]}}'"
        ) from exc
    unknown = set(examples) - set(ROUTES)
    if unknown:
        raise ConfigError(f"Router examples {path}: unknown routes {sorted(unknown)}; use {list(ROUTES)}")
    return examples


class Router:
    """Rules, then the nearest labelled example for what they leave open.

    The nearest example must beat the nearest *material* example by `margin`
    (cosine), so only clear paraphrases leave the default retrieval path; the
    margin 0.02 was chosen among 0-0.04 on eval/router.jsonl (see eval/README.md).
    """

    def __init__(
        self,
        embedder: TutorEmbeddings | Callable[[], TutorEmbeddings] | None = None,
        examples: dict[str, list[str]] | None = None,
        margin: float = 0.02,
    ) -> None:
        self._embedder = embedder  # a callable is loaded on first need: rules alone need no model
        self.margin = margin
        self._examples = {k: list(v) for k, v in (examples or {}).items() if v}
        self._matrices: dict[str, np.ndarray] | None = None

    @property
    def embedder(self) -> TutorEmbeddings | None:
        if callable(self._embedder) and not hasattr(self._embedder, "embed_query"):
            self._embedder = self._embedder()
        return self._embedder  # type: ignore[return-value]

    def _example_matrices(self) -> dict[str, np.ndarray]:
        if self._matrices is None:
            assert self.embedder is not None
            self._matrices = {
                k: np.asarray(self.embedder.embed_queries(v), dtype=np.float32)
                for k, v in self._examples.items()
            }
        return self._matrices

    def route(self, text: str) -> Route:
        ruled = route_message(text)
        if ruled.reason != "a question about the material" or self._embedder is None or not self._examples:
            return ruled
        embedder = self.embedder
        assert embedder is not None  # checked above: a model is configured
        query = np.asarray(embedder.embed_query(text), dtype=np.float32)
        best = {
            k: (float((m @ query).max()), int((m @ query).argmax()))
            for k, m in self._example_matrices().items()
        }
        label = max(best, key=lambda k: best[k][0])
        if label == "material" or best[label][0] - best.get("material", (0.0, 0))[0] < self.margin:
            return ruled
        nearest = self._examples[label][best[label][1]]
        return Route(label, f"closest to the example '{nearest}' ({best[label][0]:.2f})")  # type: ignore[arg-type]
