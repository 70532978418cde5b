"""The next step of an essay's ordered steps, for a learner who reports one of them done.

"I've already upgraded my tech stack like the midlife crisis article says. What's the next step it recommends?"
and "意见领袖那篇里，做完行业调研与实践之后，下一步是什么？" ask what follows in the essay's own order of steps, not
which roadmap skill the planner puts next.  The essays write their steps as sub-sections ("#### 步骤2：持续学习")
or as bold labels inside one section ("**Step 3: 跨领域学习与应用**"); `DocParts.steps` reads both as one
ordered list.  The answer is the step after the last one the learner names, quoted whole from the section that
holds it and cited to it — the named essay, its named step and the order are all read from the material.
"""

from __future__ import annotations

from tutor.chain.answer import Answer, Source
from tutor.chain.compose_blocks import split_blocks
from tutor.chain.doc_parts import DocParts, Part, named_doc
from tutor.chain.essay_steps import names_step
from tutor.chain.glossary import expand_english
from tutor.chain.text import CJK, strip_markdown
from tutor.whats_next import asks_next_step

__all__ = ["essay_next_answer", "next_step_of"]


def next_step_of(question: str, parts: DocParts) -> tuple[str, tuple[str, ...], Part, Part] | None:
    """(document, steps path, step named done, the step after it) for a question that names an essay and one
    of its steps and asks what comes next; None when it names no essay, no step, or the last one."""
    if not asks_next_step(question):
        return None
    doc = named_doc(question, parts)
    steps = parts.steps(doc) if doc else None
    if doc is None or steps is None:
        return None
    path, ordered = steps
    said = question if CJK.search(question) else expand_english(question)
    named = [i for i, p in enumerate(ordered) if names_step(p.title, said)]
    if not named or max(named) + 1 >= len(ordered):
        return None
    return doc, path, ordered[max(named)], ordered[max(named) + 1]


def _step_lines(
    parts: DocParts, doc: str, path: tuple[str, ...], step: Part
) -> tuple[Source, list[str]] | None:
    """The step's passage (its sub-section, or the steps section that holds its labelled block) and its lines."""
    if not step.label or len(step.chunk.headings) > len(path):  # a sub-section: the whole of it
        whole = parts.section(doc, tuple(step.chunk.headings[: len(path) + 1]))
        blocks = split_blocks(whole) if whole else []
    else:  # a labelled block inside the steps section
        whole = parts.section(doc, path)
        blocks = [b for b in split_blocks(whole) if strip_markdown(b.label) == step.label] if whole else []
    lines = [x.strip() for b in blocks for x in (b.intro, *b.lines) if x.strip()]
    return (whole, lines) if whole is not None and lines else None


def essay_next_answer(answer: Answer, parts: DocParts | None) -> bool:
    """Answer with the essay's next step, quoted whole and cited; False where none applies."""
    found = next_step_of(answer.question, parts) if parts is not None else None
    if found is None or parts is None:
        return False
    doc, path, done, after = found
    got = _step_lines(parts, doc, path, after)
    if got is None:
        return False
    whole, lines = got
    source = whole.model_copy(update={"n": 1, "cited": True})
    title = source.title or doc
    if answer.language == "zh":
        lead = f"按《{title}》的步骤（{path[-1]}），「{done.label}」之后是 **{after.label}** [1]："
    else:
        lead = f'In "{title}" ({path[-1]}), the step after "{done.label}" is **{after.label}** [1]:'
    body = [x if x.startswith(("- ", "* ")) else f"- {x}" for x in lines]
    answer.text = lead + "\n" + "\n".join(f"{x} [1]" for x in body)
    answer.sources = [source]
    answer.composition = "essay_next"
    return True
