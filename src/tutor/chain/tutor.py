"""The tutor chain: condense -> route -> (planner | retrieval -> answer | steer-back) -> check citations.

Generation is an LCEL pipeline (prompt | chat model | parser) streamed token by token; the rest is
deterministic and works with no model. A backend that is down or fails mid-answer costs one notice line."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator, Iterator, Sequence

from langchain_core.language_models import BaseChatModel

from tutor.chain import replies
from tutor.chain.answer import Answer, AnswerEvent, AnswerStream, Source
from tutor.chain.budget import TokenCounter
from tutor.chain.citations import check_citations, cited_numbers, mark_cited, renumber
from tutor.chain.compose import Block, select_blocks
from tutor.chain.compose_doc import DocPlan, StructureComposer
from tutor.chain.compose_render import render_blocks
from tutor.chain.condense import Turn, condense_by_rule, condense_with_model, continues_document, is_follow_up
from tutor.chain.curriculum_answer import Describe, curriculum_answer
from tutor.chain.followup import follow_up_route, in_context, own_words_route
from tutor.chain.generation import stream_answer
from tutor.chain.ordinal import earlier_turn, item_lead, list_items, ordinal, pick, resolved_in_roadmap
from tutor.chain.own_words import apply_own_words
from tutor.chain.phrasing import phrase_structured
from tutor.chain.plan_scope import scoped_route
from tutor.chain.planner_reply import finished_labels, learner_plan, next_step_answer, recommender
from tutor.chain.prompts import SYSTEM_PROMPTS
from tutor.chain.reading_gate import Gate, LearnedReading
from tutor.chain.refusal import best_relevance, refused
from tutor.chain.router import Route, Router
from tutor.chain.scope import Words, described_words
from tutor.chain.sections import SearchDoc, names_a_term_of, numbered_sources, section_candidates
from tutor.chain.structured import Structured
from tutor.chain.study_mode import PACE
from tutor.chain.text import chunks, detect_language
from tutor.chain.two_questions import in_two, split_questions
from tutor.chain.understanding import Understanding, understand
from tutor.config import ChainSettings
from tutor.curriculum.learners import Learners
from tutor.curriculum.model import Skill
from tutor.curriculum.progress import LearnerProfile
from tutor.errors import InputError
from tutor.index.embeddings import TutorEmbeddings
from tutor.index.store import StoredChunk
from tutor.llm.backends import LLMBackend
from tutor.security.output import OutputGuard

__all__ = ["TutorChain", "MAX_QUESTION_CHARS"]

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000


class TutorChain:
    """Answers one turn; every collaborator is handed in, so it can be built from small real parts.

    `retrieve` finds passages (best first), `search_doc` more sections of one document; `embedder` is
    called only for vectors (block selection, citation checks), never for what-next or structured answers."""

    def __init__(
        self,
        retrieve: Callable[[str], list[StoredChunk]],
        llm: LLMBackend,
        embedder: Callable[[], TutorEmbeddings],
        learners: Learners,
        cfg: ChainSettings,
        router: Router,
        search_doc: SearchDoc | None = None,
        allowed_links: Callable[[], set[str]] = set,
        corpus: Callable[[], Sequence[StoredChunk]] | None = None,
        describe: Describe | None = None,
    ) -> None:
        self.describe = describe  # the concept a question describes (tutor.index.lexicon)
        self._retrieve, self._search_doc = retrieve, search_doc
        # the documents' own structure (FAQ entries, steps sections, named sections) for extractive answers
        self.structure = StructureComposer(corpus) if corpus is not None else None
        self.backend, self.embedder = llm, embedder
        self.reading = LearnedReading(embedder, cfg.learned_reading_file, Gate(*cfg.learned_reading_gates))
        self.learners, self.roadmap = learners, learners.roadmap
        self.cfg, self.router = cfg, router
        # links only from the operator's catalog; nothing of the system prompt; no planted line
        self.output = OutputGuard(allowed_links, SYSTEM_PROMPTS)
        self.count_tokens = TokenCounter(self.backend.count_tokens, lambda t: embedder().tokenizer_length(t))

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
        if not history and len(parts := split_questions(question, self.understand)) == 2:  # 二问合一
            yield from in_two(question, parts, lambda part: self.ask(part, (), learner))
            return
        timings: dict[str, float] = {}
        start = time.perf_counter()
        language = detect_language(question)
        history = list(history)[-self.cfg.history_turns :] if self.cfg.history_turns else []

        standalone, context, route = self.route_turn(question, history)
        timings["route_s"] = time.perf_counter() - start
        profile = self.learners.profile_for(learner, text=standalone if route.kind == "next_step" else None)
        answer = Answer(
            question=question,
            standalone_question=standalone,
            language=language,
            route=route.kind,
            route_reason=route.reason,
            text="",
        )
        if route.kind != "decline":
            apply_own_words(answer, profile, question, history, learner, self.roadmap)
        if route.kind == "decline":
            answer.text = replies.decline_reply(language)
            answer.followups = replies.STARTER_QUESTIONS[language][: self.cfg.followups]
            yield from self._emit_text(answer.text)
        elif route.kind == "chitchat":
            answer.text = replies.chitchat_reply(question, language)
            answer.followups = replies.STARTER_QUESTIONS[language][: self.cfg.followups]
            yield from self._emit_text(answer.text)
        elif route.kind == "next_step":
            yield from self._next_step(answer, profile)
        else:
            yield from self._material(answer, profile, context, history, outside=route.outside)
        answer.text = self.safe_output(renumber(answer))  # [1]…[n] in the order of first use
        timings["total_s"] = time.perf_counter() - start
        answer.timings.update({k: round(v, 3) for k, v in timings.items()})
        yield AnswerEvent(kind="answer", answer=answer)

    # --- steps ----------------------------------------------------------------
    def route_turn(
        self, question: str, history: Sequence[Turn] = ()
    ) -> tuple[str, Understanding | None, Route]:
        """The turn's standalone question, what it refers back to, and its route (also `tutor eval router`)."""
        history, cur = list(history), self.roadmap.curriculum
        standalone = self._condense(question, history)
        context = in_context(question, history, self.understand, cur, recommender(self.roadmap))
        route = follow_up_route(self.router.route(standalone), context, question)
        route = own_words_route(route, question, standalone, self.router.route, self._topic)
        return standalone, context, scoped_route(route, question, self.structure, self._names_own)

    def _topic(self, text: str) -> str | None:
        """The material's section the text names by its heading's words; not a stage, skill or milestone."""
        u = self.understand(text)
        named = u.skills or u.stages or u.milestones
        return None if named or self.structure is None else self.structure.names_topic(text)

    def understand(self, text: str) -> Understanding:
        """The question's references to the roadmap (stages, skills, milestones, aspect)."""
        u = understand(text, self.roadmap.curriculum, self.roadmap.config)
        return self.reading(text, u) if self.cfg.learned_reading else u

    def _condense(self, question: str, history: list[Turn]) -> str:
        def mentions(text: str) -> list[str]:
            return list(dict.fromkeys(self.roadmap.match_skills(text).evidence.values()))

        doc, names_own = self.structure.names_doc if self.structure else None, self._names_own
        if not history or not (
            is_follow_up(question) or continues_document(question, history, doc, names_own)
        ):
            return question
        ruled = condense_by_rule(question, history, mentions, names_own, doc)  # the roadmap answers it whole:
        chat = None if self.understand(ruled).structured else self._healthy_chat()  # no rewording needed
        rewritten = condense_with_model(chat, question, history, self.backend) if chat is not None else None
        return rewritten or ruled

    def _names_own(self, text: str) -> bool:
        """A milestone, stage, skill or pace of its own."""
        u = self.understand(text)
        return bool(u.skills or u.stages or u.milestones or any(p.search(text) for p in PACE.values()))

    def _healthy_chat(self) -> BaseChatModel | None:
        ok = self.backend.name != "none" and self.backend.health().ok
        return self.backend.chat_model() if ok else None

    def safe_output(self, text: str) -> str:
        """Every answer, whatever produced it: links only from the catalog, no system prompt."""
        return self.output(text)

    def _emit_text(self, text: str) -> Iterator[AnswerEvent]:
        text = self.safe_output(text)
        for piece in chunks(text):
            yield AnswerEvent(kind="token", text=piece)

    def _next_step(self, answer: Answer, profile: LearnerProfile) -> Iterator[AnswerEvent]:
        parts = self.structure.parts if self.structure else None
        next_step_answer(answer, profile, self.roadmap, self.cfg.followups, self.retrieve, parts)
        yield from self._emit_text(answer.text)

    def relevance(self, sources: list[Source]) -> float:
        return best_relevance(sources)

    def refuses(self, relevance: float, language: str, question: str = "", own_words: bool = True) -> bool:
        """Below the language's threshold, or (English) mostly foreign words and weak similarity."""
        return refused(self.cfg.refusal_threshold, self.structure, relevance, language, question, own_words)

    def _out_of_scope(
        self, answer: Answer, u: Understanding, given: list[Source] | None = None, known: Words = frozenset()
    ) -> bool:
        """Too far from the material (similarity, or an English question's words: a follow-up's rewrite
        carries earlier words), naming none of its terms: a retrieved answer and a concept answer alike."""
        q, named = answer.standalone_question, u.skills or u.stages or u.milestones
        sources = self.retrieve(q) if given is None else given
        limits, own = self.cfg.refusal_threshold, q == answer.question
        out = refused(limits, self.structure, best_relevance(sources), answer.language, q, own, known)
        return out and not named and not names_a_term_of(q, sources[:3])

    def retrieve(self, query: str) -> list[Source]:
        return numbered_sources(self._retrieve(query))

    def _refuse(
        self, answer: Answer, profile: LearnerProfile, relevance: float | None
    ) -> Iterator[AnswerEvent]:
        """Nothing in the material is close enough: say so, and point at the learner's next step."""
        answer.refused = True
        answer.text = replies.refusal_reply(answer.language, relevance)
        answer.followups = replies.STARTER_QUESTIONS[answer.language][: self.cfg.followups]
        answer.next_step = replies.material_next_step(
            None, set(profile.finished), self.roadmap.next_steps(profile), None, answer.language
        )
        yield from self._emit_text(answer.text)

    def _material(
        self,
        answer: Answer,
        profile: LearnerProfile,
        context: Understanding | None,
        history: list[Turn],
        outside: bool = False,
    ) -> Iterator[AnswerEvent]:
        cfg = self.cfg
        understood = context or self.understand(answer.standalone_question)
        answer.understood = understood.to_json()
        cur = self.roadmap.curriculum
        earlier = self._earlier_item(answer.question, history, answer.language, context)
        structured = None if earlier else self._curriculum(answer, understood, outside)
        if structured is not None:
            yield from self._structured(answer, profile, structured, understood)
            return
        t0 = time.perf_counter()
        sources = earlier[0] if earlier else self.retrieve(answer.standalone_question)
        answer.timings["retrieve_s"] = round(time.perf_counter() - t0, 3)
        relevance = self.relevance(sources)
        answer.relevance = round(relevance, 4)
        if earlier is None and (outside or self._out_of_scope(answer, understood, sources)):
            yield from self._refuse(answer, profile, None if outside else relevance)
            return
        answer.weak = relevance < cfg.weak_threshold.get(answer.language, cfg.weak_threshold.get("zh", 0.0))
        answer.sources = sources

        retrieved = list(sources)  # the model's window may drop passages; quoting falls back on all of them
        if earlier is not None:  # an item of the earlier answer's list, quoted whole
            text, answer.composition = earlier[1], "blocks (an item of the earlier list)"
            yield from self._emit_text(text)
        else:
            text = yield from self._answer_text(answer, profile, sources)
        t1 = time.perf_counter()
        text, checks, removed = check_citations(
            text,
            sources,
            self.embedder(),
            cfg.citation_min_similarity,
            cfg.citation_min_overlap,
            cfg.citation_floor,
            quoted=answer.composition != "llm",
        )
        answer.timings["citations_s"] = round(time.perf_counter() - t1, 3)
        answer.citation_checks, answer.removed_citations = checks, removed
        if answer.composition == "llm" and not cited_numbers(text):  # ungrounded: quote the material
            answer.sources = sources = retrieved
            quoted = f"{replies.uncited_heading(answer.language)}\n\n{self._quoted(answer, sources)}"
            yield AnswerEvent(kind="token", text=self.safe_output(f"\n\n{quoted}"))
            text, answer.composition = f"{text}\n\n{quoted}", "llm+quoted"
            mark_cited(sources, text)

        skill_no, ref = replies.answer_skill(sources)
        self._finish(answer, profile, text, cur.skill(skill_no) if skill_no else None, ref)

    def _curriculum(self, answer: Answer, understood: Understanding, outside: bool) -> Structured | None:
        parts = self.structure.parts() if self.structure else None
        q, lang = answer.standalone_question, answer.language
        if outside:  # a question about the world, a subject the material does not cover: refused
            return None
        found = curriculum_answer(q, lang, understood, self.roadmap, parts, self.embedder, self.describe)
        if found is None or not found.concept:
            return found
        hit = self.describe(q, None) if self.describe else None  # a concept: scope-checked, its descriptions'
        known = described_words(hit.entry.descriptions) if hit else frozenset()  # words are known words
        return None if self._out_of_scope(answer, understood, known=known) else found

    def _answer_text(
        self, answer: Answer, profile: LearnerProfile, sources: list[Source]
    ) -> Generator[AnswerEvent, None, str]:
        """The model's answer when one is up; otherwise whole blocks of the passages, quoted best first."""
        text: str | None = None
        health = self.backend.health()
        if self.backend.name != "none" and health.ok:
            text = yield from self._generate(answer, profile, sources)
            if text == "":
                answer.notice = replies.llm_down_notice(answer.language, "empty reply")
                yield AnswerEvent(kind="status", text="reset")
                text = None
        else:
            log.debug("Offline mode (%s): %s", self.backend.label, health.detail)
            answer.notice = replies.no_llm_notice(answer.language, health.detail)
        if text is not None:
            answer.composition = "llm"
            return text
        text = self._quoted(answer, sources)
        yield from self._emit_text(text)
        return text

    def _quoted(self, answer: Answer, sources: list[Source]) -> str:
        blocks, reason = self._blocks(answer.standalone_question, answer.question, sources)
        answer.composition = "blocks" + (f" ({reason})" if reason else "")
        return render_blocks(blocks, sources, answer.language)

    def _blocks(self, question: str, latest: str, sources: list[Source]) -> tuple[list[Block], str]:
        """What the extractive answer quotes: the documents' structure first, else the best blocks."""
        candidates = sources + section_candidates(question, sources, self._search_doc)
        structure = self.structure
        plan = structure.plan(question, sources, self.embedder(), latest) if structure else DocPlan()
        blocks = plan.blocks or select_blocks(
            question, candidates + plan.extra, self.embedder(), prefer=plan.prefer, specific=plan.specific
        )
        return blocks, plan.reason

    def _earlier_item(
        self, question: str, history: list[Turn], language: str, context: Understanding | None
    ) -> tuple[list[Source], str] | None:
        """ "第四个具体怎么做？": the item the ordinal points at in the list the earlier answer quoted (recomposed
        from the earlier question, so it is the same list with or without the answer in the history), quoted
        whole under a line naming it; None when the question is no ordinal follow-up or the list lacks it."""
        position, structure = ordinal(question), self.structure
        if position is None or structure is None or resolved_in_roadmap(context):
            return None
        users = [text for role, text in history if role == "user" and text.strip()]
        k = earlier_turn(question, users, lambda t: structure.names_doc(t) or self._names_own(t))
        if k is None or (self.understand(users[k]).structured and not structure.names_doc(users[k])):
            return None  # the roadmap's own lists answer it (a follow-up about them has its context)
        earlier = self._condense(users[k], [("user", t) for t in users[:k]])
        sources = self.retrieve(earlier)
        if self.refuses(self.relevance(sources), detect_language(earlier), earlier):
            return None
        items = list_items(self._blocks(earlier, users[k], sources)[0], structure.parts(), sources)
        found = pick(items, position, question, structure.parts(), sources)
        if found is None:
            return None
        n, item = found
        return sources, render_blocks(item.blocks, sources, language, item_lead(n, item.label, language))

    def _finish(
        self, answer: Answer, profile: LearnerProfile, text: str, skill: Skill | None, source_n: int | None
    ) -> None:
        """Next step (never what the learner already knows), follow-ups, warnings and the learner note."""
        known = skill is None or skill.number in profile.finished
        plan = learner_plan(answer, profile, self.roadmap)[1] if known else None
        replies.finish_answer(answer, text, skill, set(profile.finished), plan, source_n, self.cfg.followups)

    def _structured(
        self, answer: Answer, profile: LearnerProfile, structured: Structured, understood: Understanding
    ) -> Iterator[AnswerEvent]:
        """A curriculum question: the complete lists from the roadmap; an LLM may phrase them, never drop items."""
        answer.sources = structured.sources
        answer.composition = "structured"
        text = phrase_structured(answer, structured, self._healthy_chat(), self.backend)
        if text is None:
            text = structured.text
            if self.backend.name != "none":
                answer.notice = None
        mark_cited(answer.sources, text)
        answer.relevance = 1.0
        cur = self.roadmap.curriculum
        skills = understood.skills or [n for st in understood.stages for n in cur.stage(st).skills]
        skill = cur.skill(skills[0]) if len(skills) == 1 else None
        if skill is None and skills:  # a stage: the first of its skills the learner has not finished
            skill = next((cur.skill(n) for n in skills if n not in profile.finished), None)
        yield from self._emit_text(text)
        self._finish(answer, profile, text, skill, None)

    def _generate(
        self, answer: Answer, profile: LearnerProfile, sources: list[Source]
    ) -> Generator[AnswerEvent, None, str | None]:
        learner = "、".join(finished_labels(self.roadmap, profile)) or (
            "暂无" if answer.language == "zh" else "none yet"
        )
        args = (self.backend, self.count_tokens, self.cfg.answer_reserve_tokens, answer, learner, sources)
        return (yield from stream_answer(*args, self.safe_output))
