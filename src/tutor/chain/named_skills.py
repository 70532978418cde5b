"""Which of the skills a question names it asks about: not one it names to rule out, nor one whose word only
spells part of another named skill's name.

"What does 'mastered' look like for Transformers — I mean the architecture skill, not the Hugging Face library?"
names 技能点 9 only to exclude it; answering and citing its 检验标准 beside 技能点 8's adds a passage that holds
nothing asked for.  "huggingface 的那个 transformers 库" says 技能点 9's name (Hugging Face Transformers) in two
pieces with a filler between: its second piece alone would name 技能点 8 (Transformer 架构), whose table then joins
the answer.  Both are dropped only while another named skill remains, so the question keeps a subject.
"""

from __future__ import annotations

import re

from tutor.chain.refs import ASPECT_PATTERNS
from tutor.curriculum.model import Curriculum

__all__ = [
    "drop_aspects_in_names",
    "drop_generic_inside",
    "drop_finished",
    "drop_guessed",
    "drop_unasked_skills",
    "excluded",
    "generic_inside",
    "purpose",
    "split_name",
    "stage_named_by_skills",
]

# the words that rule a named thing out, right before it: "（不是 Hugging Face 那个）", "not the HF library", "别跟 X 搞混",
# "而不是 X", "rather than X"; "不是很懂 X" (a learner's state) has words between and is not one
_EXCLUDES = re.compile(
    r"(?:不是|而非|并非|除了|\bnot(?:\s+the)?|\brather than(?:\s+the)?|\binstead of(?:\s+the)?"
    r"|\bother than(?:\s+the)?|\bexcept(?:\s+the)?"
    # "别跟讲 Transformer 原理的那个搞混了", "don't mix it up with the Transformer one": the other thing meant
    r"|(?:别|不要|可别)(?:跟|和|与|同)(?:讲|说|那个)?|\bdon'?t\s+(?:mix\s+(?:it|this|that)\s+up|confuse\s+(?:it|this|that))"
    r"\s+with(?:\s+the)?|\bnot to be confused with(?:\s+the)?)\s*[「“\"']?\s*$",
    re.IGNORECASE,
)
_PURPOSE = re.compile(r"\bfor\s+(?:the\s+)?$")
_CLAUSE_END = re.compile(r"[，,。;；？?！!]|\.\s")
# what may stand between two pieces of one name ("huggingface 的那个 transformers"): no joining word
_FILLER = re.compile(r"\s*(?:的)?(?:那个|这个|那|这)?\s*")


def _squeezed(text: str) -> str:
    return re.sub(r"[\s\-_]+", "", text.lower())


def excluded(text: str, said: str) -> bool:
    """`said` (a skill's words in the question) stands right after a word that rules it out, at one of its
    places ("HF transformers … 别跟讲 Transformer 原理的那个搞混了": the second)."""
    if not said:
        return False
    starts = [m.start() for m in re.finditer(re.escape(said.lower()), text.lower())]
    return any(s > 0 and _EXCLUDES.search(text[max(0, s - 28) : s]) for s in starts)


def purpose(text: str, said: str, others: list[str]) -> bool:
    """`said` follows "for" after another named skill in its clause: the purpose of what is asked, not its
    subject ("videos to brush up on linear algebra and calculus for ML": 数学基础's, not 机器学习基础's).  Another
    clause is no purpose: in "I've finished PyTorch, what resources for the Transformer skill?" 技能点 8 is asked."""
    low = text.lower()
    start = low.find(said.lower()) if said else -1
    if start <= 0 or not _PURPOSE.search(low[max(0, start - 12) : start]):
        return False
    return any(
        o and 0 <= (at := low.find(o.lower())) < start and not _CLAUSE_END.search(low[at:start])
        for o in others
    )


def _initials(name: str, said: str) -> str:
    """The initials of a name's Latin words other than `said` ("Hugging Face Transformers" less "transformers" ->
    "hf")."""
    return "".join(w[0] for w in re.findall(r"[A-Za-z]+", name) if w.lower() not in said.lower()).lower()


def split_name(text: str, said: str, other_said: str, other_name: str) -> bool:
    """`said` is one piece of `other_name`, said next to the other skill's own piece with only a filler
    between: together they name the other skill ("huggingface 的那个 transformers" -> Hugging Face Transformers)."""
    name = _squeezed(other_name)
    if not said or not other_said or _squeezed(said) not in name:
        return False
    if _squeezed(other_said) not in name and _squeezed(other_said) != _initials(other_name, said):
        return False  # "HF transformers": the rest of the name said by its initials
    if _squeezed(said) in _squeezed(other_said):
        return False
    low = text.lower()
    a, b = low.find(said.lower()), low.find(other_said.lower())
    if a < 0 or b < 0:
        return False
    first, second = (a, b) if a < b else (b, a)
    gap = low[first + len(said if first == a else other_said) : second]
    return len(gap) <= 6 and bool(_FILLER.fullmatch(gap))


def drop_unasked_skills(
    text: str, curriculum: Curriculum, skills: list[int], evidence: dict[str, str]
) -> None:
    """Remove (in place) the named skills the question does not ask about, while one named skill remains."""
    names = {s.number: s.name for s in curriculum.skills}
    for n in list(skills):
        if len(skills) < 2:
            return
        said = evidence.get(f"skill {n}", "")
        others = [m for m in skills if m != n]
        said_others = [evidence.get(f"skill {m}", "") for m in others]
        if (
            excluded(text, said)
            or purpose(text, said, said_others)
            or any(
                split_name(text, said, o, names.get(m, "")) for m, o in zip(others, said_others, strict=True)
            )
        ):
            skills.remove(n)
            evidence.pop(f"skill {n}", None)


# what scopes a word to the skill named right before it: "Hugging Face 那部分的参数高效微调" (its own 微调), and
# after it in English: "the fine-tuning part of the Hugging Face skill"; no joining word ("和", "and") between
_SCOPED_AFTER = re.compile(
    r"\s*(?:那部分|那一部分|这部分|那块|那一块|这块|部分|里面|里头|里|中)?\s*的\s*[^\s，,、和与及还]{0,8}\s*$"
)
_SCOPED_BEFORE = re.compile(
    r"^\s*(?:methods?|techniques?|part|section|stuff|bits?)?\s*(?:in|of|under|within|inside|for)\s+(?:the\s+)?$",
    re.IGNORECASE,
)


def _groups(curriculum: Curriculum, n: int) -> str:
    """A skill's name, group titles and items: where a generic word may occur."""
    skill = curriculum.skill(n)
    return " ".join([skill.name, *(f"{g.title or ''} {' '.join(g.items)}" for g in skill.content)])


def generic_inside(text: str, said: str, owner_said: str, owner_groups: str) -> bool:
    """`said` (a generic word for a skill, "微调") stands inside what the learner scopes to another named skill
    (`owner_said`, "Hugging Face 那部分的参数高效微调") and occurs in that skill's group titles or items
    (`owner_groups`): it names the owner's part, not a skill of its own."""
    low, word, owner = text.lower(), said.lower(), owner_said.lower()
    a, b = low.find(owner), low.find(word)
    if not word or not owner or a < 0 or b < 0 or word not in owner_groups.lower():
        return False
    if a < b:
        return bool(_SCOPED_AFTER.fullmatch(low[a + len(owner) : b]))
    return bool(_SCOPED_BEFORE.match(low[b + len(word) : a]))


def drop_generic_inside(
    text: str, curriculum: Curriculum, skills: list[int], evidence: dict[str, str]
) -> None:
    """Remove (in place) a skill named only by a generic word said inside another named skill's part
    ("Hugging Face 那部分的参数高效微调": 技能点 9's group, not 技能点 14).  The other skill's own word must not
    occur in the first's name or groups: then neither is the more specific."""
    for n in list(skills):
        said = evidence.get(f"skill {n}", "")
        for m in [m for m in skills if m != n] if len(skills) > 1 else []:
            owner_said = evidence.get(f"skill {m}", "")
            if owner_said.lower() in _groups(curriculum, n).lower():
                continue
            if generic_inside(text, said, owner_said, _groups(curriculum, m)):
                skills.remove(n)
                evidence.pop(f"skill {n}", None)
                break


def drop_aspects_in_names(
    text: str, curriculum: Curriculum, skills: list[int], aspects: list[str], evidence: dict[str, str]
) -> None:
    """An aspect read from a word that, with a named skill's words beside it, spells that skill's name
    ("微调实战那个技能点": 实战 is 模型微调实战's, not a project asked for) is dropped, unless the aspect's
    pattern also matches outside that name ("微调实战有哪些项目")."""
    names = {s.number: _squeezed(s.name) for s in curriculum.skills}
    patterns = dict(ASPECT_PATTERNS)
    said = {n: evidence.get(f"skill {n}", "") for n in skills}
    for aspect in [a for a in aspects if a in patterns]:
        spans = [m.span() for m in patterns[aspect].finditer(text)]
        if spans and all(_in_named(text, span, said, names) for span in spans):
            aspects.remove(aspect)
            evidence.pop(f"aspect {aspect}", None)


def _in_named(text: str, span: tuple[int, int], skills: dict[int, str], names: dict[int, str]) -> bool:
    """The word at `span` joins a named skill's words into a piece of that skill's name."""
    for n in skills:  # the word with the few characters before it: "微调实战" when 微调框架 named the skill
        pieces = (_squeezed(text[max(0, span[0] - k) : span[1]]) for k in (2, 3, 4))
        if any(len(p) >= 4 and p in names.get(n, "") for p in pieces):
            return True
    for n, said in skills.items():
        start = text.find(said) if said else -1
        if start < 0:
            continue
        whole = text[min(start, span[0]) : max(start + len(said), span[1])]
        if len(whole) <= len(said) + (span[1] - span[0]) + 1 and _squeezed(whole) in names.get(n, ""):
            return True
    return False


# "前面那个阶段要学完哪些", "from the previous stage": the stage before the named skills' own is asked
PREVIOUS_STAGE = re.compile(
    r"前面(?:那个|那一个|一个)?阶段|\b(?:from|of|in) the (?:previous|prior|preceding) (?:stage|phase)\b",
    re.IGNORECASE,
)


def stage_named_by_skills(
    text: str, curriculum: Curriculum, skills: list[int], stages: list[int], evidence: dict[str, str]
) -> None:
    """Skills said as the examples that name their stage ("before starting the PyTorch / Transformer stage",
    "LangChain、RAG 这些大模型应用，前面那个阶段"): the stage is asked about, so the skills are dropped and their
    one stage stands (a prerequisite answer then gives what comes before the stage, not before each skill)."""
    owners = {curriculum.skill(n).stage for n in skills}
    if skills and len(owners) == 1 and not stages and PREVIOUS_STAGE.search(text):
        _stage_for_skills(owners.pop(), skills, stages, evidence, "(the stage before theirs)")
        return  # "部署、微调这些工程化的东西，前面那个阶段要学完哪些": what their stage requires
    # one skill before 阶段 ("机器学习基础阶段", "RAG 阶段") is that skill's part of the roadmap, not its stage
    if len(skills) < 2 or len(owners) != 1 or (stages and set(stages) != owners):
        return
    stage = owners.pop()
    spans = [
        (m.start(), m.end())
        for n in skills
        if (said := evidence.get(f"skill {n}", ""))
        for m in [re.search(re.escape(said), text)]
        if m
    ]
    if len(spans) != len(skills):
        return
    after = text[max(e for _, e in spans) :]
    title = re.escape(evidence.get(f"stage {stage}", "")) or r"(?!x)x"
    if m := re.match(
        rf"\s*(?:这些|这类|之类的?|等)?\s*的?\s*(?:那个|这个)?\s*(?:{title}|阶段|stage\b|phase\b)",
        after,
        re.I,
    ):
        _stage_for_skills(stage, skills, stages, evidence, m.group(0).strip())


def _stage_for_skills(
    stage: int, skills: list[int], stages: list[int], evidence: dict[str, str], said: str
) -> None:
    skills.clear()
    stages[:] = [stage]
    evidence[f"stage {stage}"] = evidence.get(f"stage {stage}") or said
    for key in [k for k in evidence if k.startswith("skill ")]:
        evidence.pop(key)


# "第二阶段，就是动手练深度学习框架和模型的那个，包含哪几个技能？": the skills a stage holds
_WHICH_SKILLS = re.compile(
    r"(?:哪几|哪些|几)个?技能(?:点)?|有什么技能|\b(?:which|what) skills\b|\bhow many skills\b", re.IGNORECASE
)


def stage_skill_list(
    text: str, skills: list[int], stages: list[int], aspects: list[str], evidence: dict[str, str]
) -> None:
    """A question asking which skills a named stage holds: its words for the stage ("动手练深度学习的那个") name no
    skill and no aspect of their own, so the stage's overview answers, not 技能点 5's projects."""
    if len(stages) != 1 or not skills or not _WHICH_SKILLS.search(text):
        return
    skills.clear()
    aspects[:] = ["content"]
    for key in [k for k in evidence if k.startswith(("skill ", "aspect "))]:
        evidence.pop(key)
    evidence["aspect content"] = _WHICH_SKILLS.search(text).group(0)  # type: ignore[union-attr]


def drop_guessed(stages: list[int], skills: list[int], evidence: dict[str, str]) -> None:
    """A skill only guessed from a near-spelling ("LLM" ≈ vllm) gives way to a stage or a skill named outright:
    in "the LLM fine-tuning skill" the learner names 技能点 14, and "LLM" only qualifies it."""
    guessed = [n for n in skills if "≈" in evidence.get(f"skill {n}", "")]
    if not guessed or not (stages or len(guessed) < len(skills)):
        return
    for n in guessed:
        skills.remove(n)
        evidence.pop(f"skill {n}")


# "学完了 Prompt Engineering", "I've finished PyTorch": a skill the learner reports done, in a clause of its own
_FINISHED = re.compile(
    r"学完了?|学好了|学过了|搞定了|刷完了?|"
    r"\b(?:finished|completed|done with|wrapped up|got through|i've learned|i have learned)\b",
    re.IGNORECASE,
)


def _clause_at(text: str, at: int) -> tuple[int, int]:
    """The span of the clause (between commas, stops, question marks) holding position `at`."""
    start = max((m.end() for m in _CLAUSE_END.finditer(text, 0, at)), default=0)
    end = next((m.start() for m in _CLAUSE_END.finditer(text, at)), len(text))
    return start, end


def drop_finished(text: str, skills: list[int], evidence: dict[str, str]) -> None:
    """A skill reported done in a clause of its own gives way to one named in another clause: "学完了 Prompt
    Engineering，RAG 有哪些学习资源？" asks 技能点 11's resources, not 10's."""
    low = text.lower()
    at = {n: low.find(evidence.get(f"skill {n}", "\0").lower()) for n in skills}
    clauses = {n: _clause_at(low, a) for n, a in at.items() if a >= 0}
    done = [n for n, (a, _) in clauses.items() if _FINISHED.search(low[a : at[n]])]
    asked = [n for n in clauses if n not in done and clauses[n] not in {clauses[d] for d in done}]
    if not done or not asked:
        return
    for n in done:
        skills.remove(n)
        evidence.pop(f"skill {n}", None)
