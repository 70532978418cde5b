"""The tutor chain: condense -> route -> (planner | retrieval -> answer | steer-back) -> check citations.

Generation is an LCEL pipeline (prompt | chat model | parser) streamed token by
token; everything around it is deterministic and works with no model at all.
A backend that is down or fails mid-answer costs one notice line, never the turn.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Generator, Iterator, Sequence

from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser

from tutor.chain import replies
from tutor.chain.answer import Answer, AnswerEvent, AnswerStream, Source
from tutor.chain.budget import TokenCounter, fit_passages
from tutor.chain.citations import check_citations
from tutor.chain.condense import Turn, condense_by_rule, is_follow_up
from tutor.chain.extractive import render_extractive, select_sentences
from tutor.chain.prompts import ANSWER_PROMPTS, CONDENSE_PROMPT, format_passage, redact_instructions
from tutor.chain.router import Route, Router
from tutor.chain.text import detect_language
from tutor.config import ChainSettings
from tutor.curriculum.learners import Learners
from tutor.curriculum.progress import LearnerProfile
from tutor.errors import InputError
from tutor.index.embeddings import TutorEmbeddings
from tutor.index.store import StoredChunk
from tutor.llm.backends import LLMBackend
from tutor.resources.cards import CARDS_DOC

__all__ = ["TutorChain", "MAX_QUESTION_CHARS"]

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000


def _chunks(text: str, size: int = 24) -> Iterator[str]:
    """Deterministic answers are streamed in small pieces too, so every caller sees one behaviour."""
    for i in range(0, len(text), size):
        yield text[i : i + size]


class TutorChain:
    """Answers one turn; every collaborator is handed in, so it can be built from small real parts.

    `retrieve` finds passages for a query (best first); `embedder` is called only when an
    answer needs vectors (extractive selection, citation checks), never for what-next or small talk.
    """

    def __init__(
        self,
        retrieve: Callable[[str], list[StoredChunk]],
        llm: LLMBackend,
        embedder: Callable[[], TutorEmbeddings],
        learners: Learners,
        cfg: ChainSettings,
        router: Router,
    ) -> None:
        self._retrieve = retrieve
        self.backend = llm
        self.embedder = embedder
        self.learners = learners
        self.roadmap = learners.roadmap
        self.cfg = cfg
        self.router = router
        self.count_tokens = TokenCounter(self.backend.count_tokens, lambda t: embedder().tokenizer_length(t))

    # --- public API -------------------------------------------------------
    def ask(self, question: str, history: Sequence[Turn] = (), learner: str | None = None) -> Answer:
        return AnswerStream(self.stream(question, history, learner)).final()

    def stream(
        self, question: str, history: Sequence[Turn] = (), learner: str | None = None
    ) -> Iterator[AnswerEvent]:
        """Tokens as they are produced, then one final event with the complete, checked Answer."""
        question = (question or "").strip()
        if not question:
            raise InputError("question", "empty question; ask something about the material")
        if len(question) > MAX_QUESTION_CHARS:
            raise InputError(
                "question", f"{len(question)} characters is too long; keep it under {MAX_QUESTION_CHARS}"
            )
        timings: dict[str, float] = {}
        start = time.perf_counter()
        language = detect_language(question)
        history = list(history)[-self.cfg.history_turns :] if self.cfg.history_turns else []

        standalone = self._condense(question, history)
        timings["condense_s"] = time.perf_counter() - start
        route = self.router.route(standalone)
        timings["route_s"] = time.perf_counter() - start - timings["condense_s"]
        profile = self.learners.profile_for(learner, text=question if route.kind == "next_step" else None)
        answer = Answer(
            question=question,
            standalone_question=standalone,
            language=language,
            route=route.kind,
            route_reason=route.reason,
            text="",
        )
        if route.kind == "chitchat":
            answer.text = replies.chitchat_reply(question, language)
            answer.followups = replies.STARTER_QUESTIONS[language][: self.cfg.followups]
            yield from self._emit_text(answer.text)
        elif route.kind == "next_step":
            yield from self._next_step(answer, profile)
        else:
            yield from self._material(answer, profile, route)
        timings["total_s"] = time.perf_counter() - start
        answer.timings.update({k: round(v, 3) for k, v in timings.items()})
        yield AnswerEvent(kind="answer", answer=answer)

    # --- steps ----------------------------------------------------------------
    def _condense(self, question: str, history: list[Turn]) -> str:
        if not history or not is_follow_up(question):
            return question

        def mentions(text: str) -> list[str]:
            found = self.roadmap.match_skills(text)
            return list(dict.fromkeys(found.evidence.values()))

        chat = self._healthy_chat()
        if chat is not None:
            transcript = "\n".join(f"{role}: {text[:500]}" for role, text in history)
            try:
                rewritten = (
                    (CONDENSE_PROMPT | chat | StrOutputParser())
                    .invoke({"history": transcript, "question": question})
                    .strip()
                    .strip('"')
                )
                if rewritten and len(rewritten) < 4 * len(question) + 200:
                    return rewritten.splitlines()[0]
            except Exception as exc:  # noqa: BLE001 - any backend failure: fall back to the rule
                log.warning("Condensing with the LLM failed (%s); using the rule", exc)
                self.backend.mark_down(f"{type(exc).__name__}: {exc}"[:200])
        return condense_by_rule(question, history, mentions)

    def _healthy_chat(self) -> BaseChatModel | None:
        if self.backend.name == "none":
            return None
        return self.backend.chat_model() if self.backend.health().ok else None

    def _emit_text(self, text: str) -> Iterator[AnswerEvent]:
        for piece in _chunks(text):
            yield AnswerEvent(kind="token", text=piece)

    def _finished_labels(self, profile: LearnerProfile) -> list[str]:
        cur = self.roadmap.curriculum
        return [
            f"技能点 {n}（{cur.skill(n).name}）"
            for n in profile.finished
            if any(s.number == n for s in cur.skills)
        ]

    def _next_step(self, answer: Answer, profile: LearnerProfile) -> Iterator[AnswerEvent]:
        plan = self.roadmap.next_steps(profile)
        sources, numbers = replies.plan_sources(plan, self.roadmap.curriculum, self.roadmap.path)
        answer.text = replies.render_plan(plan, numbers, answer.language, self._finished_labels(profile))
        for s in sources:
            s.cited = f"[{s.n}]" in answer.text
        answer.sources = sources
        answer.recommendations = plan.to_json()
        if plan.recommendations:
            top = plan.recommendations[0]
            skill = self.roadmap.curriculum.skill(top.skill.number)
            answer.next_step = (
                (
                    f"开始学习 {top.skill.heading}：先看「{top.resources[0].name}」。"
                    if answer.language == "zh"
                    else f'Start {top.skill.heading} with "{top.resources[0].name}".'
                )
                if top.resources
                else None
            )
            answer.followups = replies.followups_for(
                skill, answer.language, self.cfg.followups, answer.question
            )
        else:
            answer.followups = replies.STARTER_QUESTIONS[answer.language][: self.cfg.followups]
        yield from self._emit_text(answer.text)

    def relevance(self, sources: list[Source]) -> float:
        """The best dense similarity among the passages: what refusal and the weak warning look at."""
        scores = [s.score for s in sources if s.score is not None]
        return max(scores) if scores else 0.0

    def refuses(self, relevance: float, language: str) -> bool:
        thresholds = self.cfg.refusal_threshold
        return relevance < thresholds.get(language, thresholds.get("zh", 0.0))

    def retrieve(self, query: str) -> list[Source]:
        sources = []
        for n, chunk in enumerate(self._retrieve(query), 1):
            links = chunk.links
            dense = chunk.metadata.get("dense_score")
            # a fetched page cites its URL; a resource card links to its resource
            link = (chunk.metadata.get("source_url") or None) if chunk.doc.startswith("web-") else None
            if link is None and chunk.doc == CARDS_DOC and links:
                link = links[0].get("url")
            sources.append(
                Source(
                    n=n,
                    id=chunk.id,
                    doc=chunk.doc,
                    title=chunk.title,
                    headings=chunk.headings,
                    lines=chunk.lines,
                    link=link,
                    score=None if dense is None else round(float(dense), 4),
                    text=chunk.text,
                )
            )
        return sources

    def _refuse(self, answer: Answer, profile: LearnerProfile, relevance: float) -> Iterator[AnswerEvent]:
        """Nothing in the material is close enough: say so, and point at the learner's next step."""
        answer.refused = True
        answer.text = replies.refusal_reply(answer.language, relevance)
        answer.followups = replies.STARTER_QUESTIONS[answer.language][: self.cfg.followups]
        answer.next_step = replies.material_next_step(
            None, set(profile.finished), self.roadmap.next_steps(profile), None, answer.language
        )
        yield from self._emit_text(answer.text)

    def _material(self, answer: Answer, profile: LearnerProfile, route: Route) -> Iterator[AnswerEvent]:
        cfg = self.cfg
        t0 = time.perf_counter()
        sources = self.retrieve(answer.standalone_question)
        answer.timings["retrieve_s"] = round(time.perf_counter() - t0, 3)
        relevance = self.relevance(sources)
        answer.relevance = round(relevance, 4)
        if self.refuses(relevance, answer.language):
            yield from self._refuse(answer, profile, relevance)
            return
        answer.weak = relevance < cfg.weak_threshold.get(answer.language, cfg.weak_threshold.get("zh", 0.0))
        answer.sources = sources

        text: str | None = None
        health = self.backend.health()
        if self.backend.name != "none" and health.ok:
            text = yield from self._generate(answer, profile, sources)
            if text == "":
                answer.notice = replies.llm_down_notice(answer.language, "empty reply")
                yield AnswerEvent(kind="status", text="reset")
                text = None
        else:
            answer.notice = replies.no_llm_notice(answer.language, health.detail)
        if text is None:
            extracts = select_sentences(
                answer.standalone_question, sources[:4], self.embedder(), cfg.extractive_sentences
            )
            text = render_extractive(extracts, sources, answer.language)
            yield from self._emit_text(text)
        t1 = time.perf_counter()
        text, checks, removed = check_citations(
            text,
            sources,
            self.embedder(),
            cfg.citation_min_similarity,
            cfg.citation_min_overlap,
            cfg.citation_floor,
        )
        answer.timings["citations_s"] = round(time.perf_counter() - t1, 3)
        answer.citation_checks, answer.removed_citations = checks, removed

        cited = [s for s in sources if s.cited]
        skill_no = next((n for s in cited + sources if (n := replies.skill_of_source(s))), None)
        skill = self.roadmap.curriculum.skill(skill_no) if skill_no else None
        plan = self.roadmap.next_steps(profile) if skill is None or skill.number in profile.finished else None
        answer.next_step = replies.material_next_step(
            skill, set(profile.finished), plan, cited[0].n if cited else None, answer.language
        )
        answer.followups = replies.followups_for(skill, answer.language, cfg.followups, answer.question)
        parts = [text]
        if answer.weak:
            parts.insert(0, replies.weak_warning(answer.language, relevance))
        if answer.next_step:
            parts.append(replies.next_step_paragraph(answer.next_step, answer.language))
        answer.text = "\n\n".join(parts)

    def _generate(
        self, answer: Answer, profile: LearnerProfile, sources: list[Source]
    ) -> Generator[AnswerEvent, None, str | None]:
        """Stream the model's answer; on any backend failure return None so the caller falls back."""
        prompt = ANSWER_PROMPTS[answer.language]
        learner = "、".join(self._finished_labels(profile)) or (
            "暂无" if answer.language == "zh" else "none yet"
        )
        passages = []
        redacted_total = 0
        for s in sources:
            body, redacted = redact_instructions(s.text)
            redacted_total += redacted
            passages.append(format_passage(s.n, s.label, body))
        if redacted_total:
            log.warning("Redacted %d instruction-like line(s) from retrieved passages", redacted_total)
        # the template's text plus a few tokens of chat-format wrapping per message
        fixed = (
            self.count_tokens(prompt.format(learner=learner, context="", question=answer.standalone_question))
            + 16
        )
        reserve = max(self.cfg.answer_reserve_tokens, self.backend.settings.max_tokens)
        kept, trimmed = fit_passages(passages, fixed, self.backend.context_window, reserve, self.count_tokens)
        if trimmed:
            log.info(
                "Context trimmed to fit %d tokens: %d passage(s) cut or dropped (%s)",
                self.backend.context_window,
                trimmed,
                self.count_tokens.method,
            )
        kept_numbers = {int(m.group(1)) for p in kept if (m := re.match(r"\[(\d+)\]", p))}
        for s in list(sources):
            if s.n not in kept_numbers:
                sources.remove(s)
        inputs = {"learner": learner, "context": "\n\n".join(kept), "question": answer.standalone_question}
        pieces: list[str] = []
        t0 = time.perf_counter()
        try:
            model = self.backend.chat_model()
            if model is None:
                raise RuntimeError(f"{self.backend.label} offers no chat model")
            chain = prompt | model | StrOutputParser()
            for piece in chain.stream(inputs):
                if not pieces:
                    answer.timings["first_token_s"] = round(time.perf_counter() - t0, 3)
                pieces.append(piece)
                yield AnswerEvent(kind="token", text=piece)
        except Exception as exc:  # noqa: BLE001 - timeouts, refused connections, 5xx after retries
            detail = f"{type(exc).__name__}: {str(exc)[:160]}"
            log.warning("LLM request failed (%s); answering retrieval-only", detail)
            self.backend.mark_down(detail)
            answer.notice = replies.llm_down_notice(answer.language, detail)
            yield AnswerEvent(kind="status", text="reset")  # tell streaming callers to discard partial text
            return None
        answer.timings["generate_s"] = round(time.perf_counter() - t0, 3)
        answer.backend = self.backend.label
        return "".join(pieces).strip()
