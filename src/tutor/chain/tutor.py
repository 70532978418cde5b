"""The tutor chain: condense -> route -> (planner | retrieval -> answer | steer-back) -> check citations.

Generation is an LCEL pipeline (prompt | chat model | parser) streamed token by
token; everything around it is deterministic and works with no model at all.
A backend that is down or fails mid-answer costs one notice line, never the turn.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from langchain_core.output_parsers import StrOutputParser

from tutor.chain import replies
from tutor.chain.answer import Answer, AnswerEvent, Source
from tutor.chain.budget import TokenCounter, fit_passages
from tutor.chain.citations import check_citations
from tutor.chain.compose import HOW_TO as _HOW_TO, STEPS_HEADING as _STEPS_HEADING, render_blocks, select_blocks

_FAQ_HEADING = re.compile(r"常见问题|问题与解答|FAQ|Q&A|问答", re.IGNORECASE)
from tutor.chain.condense import Turn, condense_by_rule, is_follow_up
from tutor.chain.prompts import ANSWER_PROMPTS, CONDENSE_PROMPT, PHRASE_PROMPTS, format_passage, redact_instructions
from tutor.chain.router import Route, Router
from tutor.chain.structured import Structured, compose_structured, ensure_items
from tutor.chain.text import detect_language
from tutor.chain.understanding import Understanding, understand
from tutor.errors import InputError
from tutor.resources.cards import CARDS_DOC

if TYPE_CHECKING:
    from tutor.services import Services

__all__ = ["TutorChain", "MAX_QUESTION_CHARS"]

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000

# "我刚学完 Python" / "I just finished PyTorch": a clause in which the learner says what they know.
_SELF_REPORT = re.compile(
    r"我.{0,40}?(?:学完|学会|学过|掌握|搞定|完成|过了|通过了|会了|很熟|挺熟|比较熟|熟悉|精通|天天用|经常用|用过|做过|没问题)"
    r"|\bI(?:'ve| have|'m| am)?\b.{0,40}?\b(?:finished|learned|learnt|completed|mastered|know|studied|done with|familiar"
    r"|comfortable|passed|good at|done|use \w+ every day)\b",
    re.IGNORECASE,
)
_CLAUSE_SPLIT = re.compile(r"[。！？!?；;，,]|\.(?:\s|$)")
_KNOW_VERB = re.compile(r"学完|学会|学过|掌握|搞定|完成|过了|会了|很熟|挺熟|比较熟|熟悉|精通|天天用|经常用"
                        r"|\b(finished|learned|learnt|completed|mastered|know|done)\b", re.IGNORECASE)
_ASKING = re.compile(r"什么|哪些|哪个|吗|呢|怎么|如何|多久|是否|\?|\b(what|which|how|where|why|should|can you)\b",
                     re.IGNORECASE)
_HOURS = re.compile(r"(\d+(?:\.\d+)?|[一二两三四五六七八九十]+)\s*(?:个)?\s*(?:小时|hours?|hrs?)", re.IGNORECASE)
_PER_DAY = re.compile(r"每天|一天|每日|工作日|a day|per day|daily|each day|every day|after work|下班", re.IGNORECASE)


def _hours_per_day(text: str) -> float | None:
    """'我每天只有两三个小时' -> 2.5, 'about 2 hours a day' -> 2.0; None when no daily hours are given."""
    if not _PER_DAY.search(text):
        return None
    m = _HOURS.search(text)
    if not m:
        return None
    token = m.group(1)
    if token[0].isdigit():
        return float(token)
    digits = [_CN_NUM[c] for c in token if c in _CN_NUM]
    return sum(digits) / len(digits) if digits else None


_CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def self_reports(messages: Sequence[str]) -> list[str]:
    """The clauses in which the learner says what they have learned ("我刚学完 Python，RAG 有哪些资源？" -> the
    first clause only: what they ask about is not what they know)."""
    out = []
    for text in messages:
        if not _SELF_REPORT.search(text):
            continue
        out.extend(c.strip() for c in _CLAUSE_SPLIT.split(text)
                   if c.strip() and _KNOW_VERB.search(c) and not _ASKING.search(c))
    return out


def _names_a_term_of(question: str, sources: Sequence[Source]) -> bool:
    """A specific Chinese term of the question (a word of 3+ characters, "领导力") stands in a top passage's
    heading path or text: the material does talk about it, however weak the embedding similarity."""
    import jieba

    words = {w for w in jieba.lcut(question) if len(w) >= 3 and CJK_ONLY.fullmatch(w)}
    return any(w in s.text or any(w in h for h in s.headings) for w in words for s in sources)


CJK_ONLY = re.compile(r"[\u3400-\u9fff]+")


def _chunks(text: str, size: int = 24) -> Iterator[str]:
    """Deterministic answers are streamed in small pieces too, so every caller sees one behaviour."""
    for i in range(0, len(text), size):
        yield text[i : i + size]


class TutorChain:
    def __init__(self, services: Services, router: Router) -> None:
        self.svc = services
        self.settings = services.settings
        self.router = router
        self.backend = services.llm
        self.count_tokens = TokenCounter(self.backend.count_tokens, lambda t: services.embedder.tokenizer_length(t))

    # --- public API -------------------------------------------------------
    def ask(self, question: str, history: Sequence[Turn] = (), learner: str | None = None) -> Answer:
        final: Answer | None = None
        for event in self.stream(question, history, learner):
            if event.kind == "answer":
                final = event.answer
        assert final is not None
        return final

    def stream(self, question: str, history: Sequence[Turn] = (), learner: str | None = None) -> Iterator[AnswerEvent]:
        """Tokens as they are produced, then one final event with the complete, checked Answer."""
        question = (question or "").strip()
        if not question:
            raise InputError("question", "empty question; ask something about the material")
        if len(question) > MAX_QUESTION_CHARS:
            raise InputError("question", f"{len(question)} characters is too long; keep it under {MAX_QUESTION_CHARS}")
        timings: dict[str, float] = {}
        start = time.perf_counter()
        language = detect_language(question)
        history = list(history)[-self.settings.chain.history_turns :] if self.settings.chain.history_turns else []

        standalone = self._condense(question, history)
        timings["condense_s"] = time.perf_counter() - start
        route = self.router.route(standalone)
        timings["route_s"] = time.perf_counter() - start - timings["condense_s"]
        profile = self.svc.profile_for(learner, text=question if route.kind == "next_step" else None)
        answer = Answer(question=question, standalone_question=standalone, language=language,  # type: ignore[arg-type]
                        route=route.kind, route_reason=route.reason, text="")
        if route.kind != "decline":
            self._apply_own_words(answer, profile, question, history, learner)
        if route.kind == "decline":
            answer.text = replies.decline_reply(language)
            answer.followups = replies.STARTER_QUESTIONS[language][: self.settings.chain.followups]
            yield from self._emit_text(answer.text)
        elif route.kind == "chitchat":
            answer.text = replies.chitchat_reply(question, language)
            answer.followups = replies.STARTER_QUESTIONS[language][: self.settings.chain.followups]
            yield from self._emit_text(answer.text)
        elif route.kind == "next_step":
            yield from self._next_step(answer, profile)
        else:
            yield from self._material(answer, profile, route)
        timings["total_s"] = time.perf_counter() - start
        answer.timings.update({k: round(v, 3) for k, v in timings.items()})
        yield AnswerEvent(kind="answer", answer=answer)

    # --- steps ----------------------------------------------------------------
    def _apply_own_words(self, answer: Answer, profile: Any, question: str, history: list[Turn],
                         learner: str | None) -> None:
        """What the learner said they know in this conversation counts at once (in memory; saving is offered)."""
        said_now = self_reports([question])
        said = self_reports([text for role, text in history if role == "user"]) + said_now
        if not said:
            return
        mentions = self.svc.match_skills("；".join(said))
        known = set(mentions.known)
        cur = self.svc.curriculum
        for clause in said:  # "阶段 3 的四个技能点我都过了", "I finished everything in stage 4"
            u = self.understand(clause)
            for stage in u.stages:
                known |= set(cur.stage(stage).skills)
        known -= set(mentions.not_known)
        stated = set(known)
        for n in stated:  # finishing a skill implies what comes before it in the roadmap
            known |= self.svc.prerequisites.ancestors(n)
        new = sorted(n for n in stated if n not in profile.finished)
        if not known:
            return
        mentions.known = sorted(known)
        profile.finished = sorted(set(profile.finished) | known)
        profile.in_progress = [n for n in profile.in_progress if n not in profile.finished]
        labels = [f"技能点 {n}（{cur.skill(n).name}）" for n in sorted(stated)]
        answer.learner_update = {"known": sorted(mentions.known), "new": sorted(new), "saved": False,
                                 "said": said, "labels": labels}
        if new and said_now:
            answer.learner_update["note"] = replies.learner_update_note(
                [lab for n, lab in zip(sorted(stated), labels) if n in new], answer.language, learner)

    def understand(self, text: str) -> Understanding:
        return understand(text, self.svc.curriculum, self.svc.curriculum_config)

    def _condense(self, question: str, history: list[Turn]) -> str:
        if not history or not is_follow_up(question):
            return question

        def mentions(text: str) -> list[str]:
            found = self.svc.match_skills(text)
            return list(dict.fromkeys(found.evidence.values()))

        chat = self._healthy_chat()
        if chat is not None:
            transcript = "\n".join(f"{role}: {text[:500]}" for role, text in history)
            try:
                rewritten = (CONDENSE_PROMPT | chat | StrOutputParser()).invoke(
                    {"history": transcript, "question": question}).strip().strip('"')
                if rewritten and len(rewritten) < 4 * len(question) + 200:
                    return rewritten.splitlines()[0]
            except Exception as exc:  # noqa: BLE001 - any backend failure: fall back to the rule
                log.warning("Condensing with the LLM failed (%s); using the rule", exc)
                self.backend.mark_down(f"{type(exc).__name__}: {exc}"[:200])
        return condense_by_rule(question, history, mentions)

    def _healthy_chat(self) -> Any:
        if self.backend.name == "none":
            return None
        return self.backend.chat_model() if self.backend.health().ok else None

    def _emit_text(self, text: str) -> Iterator[AnswerEvent]:
        for piece in _chunks(text):
            yield AnswerEvent(kind="token", text=piece)

    def _finished_labels(self, profile: Any) -> list[str]:
        cur = self.svc.curriculum
        return [f"技能点 {n}（{cur.skill(n).name}）" for n in profile.finished if any(s.number == n for s in cur.skills)]

    def _next_step(self, answer: Answer, profile: Any) -> Iterator[AnswerEvent]:
        hours = _hours_per_day(answer.question)
        if hours is not None:
            profile.hours_per_day = hours
        plan = self.svc.next_steps(profile)
        sources, numbers = replies.plan_sources(plan, self.svc.curriculum, self.settings.curriculum.roadmap)
        answer.text = replies.render_plan(plan, numbers, answer.language, self._finished_labels(profile))
        if hours is not None:  # "I only have 2 hours a day": the roadmap's time plan for that pace
            answer.text += self._time_plan(hours, answer.language, sources)
        for s in sources:
            s.cited = f"[{s.n}]" in answer.text
        answer.sources = sources
        answer.recommendations = plan.to_json()
        if plan.recommendations:
            top = plan.recommendations[0]
            skill = self.svc.curriculum.skill(top.skill.number)
            answer.next_step = (f"开始学习 {top.skill.heading}：先看「{top.resources[0].name}」。" if answer.language == "zh"
                                else f"Start {top.skill.heading} with \"{top.resources[0].name}\".") if top.resources else None
            answer.followups = replies.followups_for(skill, answer.language, self.settings.chain.followups, answer.question)
        else:
            answer.followups = replies.STARTER_QUESTIONS[answer.language][: self.settings.chain.followups]
        yield from self._emit_text(answer.text)

    def _time_plan(self, hours: float, language: str, sources: list[Source]) -> str:
        """The time plan whose hours per day are closest to the learner's, item by item, cited."""
        plans = [(p, [float(x) for x in re.findall(r"\d+(?:\.\d+)?", p.hours_per_day or "")]) for p in
                 self.svc.curriculum.time_plans]
        plans = [(p, sum(v) / len(v)) for p, v in plans if v]
        if not plans:
            return ""
        best = min(plans, key=lambda pv: abs(pv[1] - hours))[0]
        c = best.citation
        n = len(sources) + 1
        sources.append(Source(n=n, id=f"{c.doc}#L{c.lines[0]}-{c.lines[1]}", doc=c.doc, title=self.svc.curriculum.title,
                              headings=[best.heading], lines=list(c.lines),
                              text=replies._read_lines(self.settings.curriculum.roadmap, c.lines)))
        head = f"\n\n**时间规划（{best.heading}）**：" if language == "zh" else f"\n\n**Time plan ({best.heading})**:"
        items = [best.hours_per_day or "", *best.items]
        return head + "\n" + "\n".join(f"- {i} [{n}]" for i in items if i)

    def relevance(self, sources: list[Source]) -> float:
        """The best dense similarity among the passages: what refusal and the weak warning look at."""
        scores = [s.score for s in sources if s.score is not None]
        return max(scores) if scores else 0.0

    def refuses(self, relevance: float, language: str) -> bool:
        thresholds = self.settings.chain.refusal_threshold
        return relevance < thresholds.get(language, thresholds.get("zh", 0.0))

    def retrieve(self, query: str) -> list[Source]:
        from tutor.index.retriever import from_lc_document

        docs = self.svc.retriever().invoke(query)
        sources = []
        for n, doc in enumerate(docs, 1):
            chunk = from_lc_document(doc)
            links = chunk.links
            dense = chunk.metadata.get("dense_score")
            # a fetched page cites its URL; a resource card links to its resource
            link = (chunk.metadata.get("source_url") or None) if chunk.doc.startswith("web-") else None
            if link is None and chunk.doc == CARDS_DOC and links:
                link = links[0].get("url")
            sources.append(Source(n=n, id=chunk.id, doc=chunk.doc, title=chunk.title, headings=chunk.headings,
                                  lines=chunk.lines, link=link, flagged=bool(chunk.metadata.get("injection_flag")),
                                  score=None if dense is None else round(float(dense), 4), text=chunk.text))
        return sources

    def _section_candidates(self, question: str, sources: list[Source]) -> list[Source]:
        """More passages of the best document: its FAQ, its steps (for a how-to question), its best sections.

        The answer is chosen among blocks, so the document that answers the question should offer all its
        relevant sections: a FAQ entry that matches the question, the steps an essay gives (often ranked
        below the summary that merely names them).  Added passages get the next numbers and are appended
        to `sources`.
        """
        if not sources:
            return []
        docs = list(dict.fromkeys(s.doc for s in sources[:2] if s.doc != CARDS_DOC))[:2]
        known = {s.id for s in sources}
        extra: list[Source] = []
        from tutor.index.retriever import from_lc_document

        for doc_id in docs:
            try:
                hits = self.svc.retriever(k=8, where={"doc": doc_id}).invoke(
                    f"{question} 具体步骤 方法" if _HOW_TO.search(question) else question)
            except Exception as exc:  # noqa: BLE001 - an optional refinement; the answer stands without it
                log.info("Section lookup in %s failed: %s", doc_id, exc)
                continue
            taken = 0
            for rank, hit in enumerate(hits):
                chunk = from_lc_document(hit)
                if chunk.id in known:
                    continue
                faq = any(_FAQ_HEADING.search(h) for h in chunk.headings)
                steps = _HOW_TO.search(question) and any(_STEPS_HEADING.search(h) for h in chunk.headings)
                if not (faq or steps or rank < 3) or taken >= 3:
                    continue
                dense = chunk.metadata.get("dense_score")
                source = Source(n=len(sources) + 1, id=chunk.id, doc=chunk.doc, title=chunk.title,
                                headings=chunk.headings, lines=chunk.lines,
                                flagged=bool(chunk.metadata.get("injection_flag")),
                                score=None if dense is None else round(float(dense), 4), text=chunk.text)
                sources.append(source)
                extra.append(source)
                known.add(chunk.id)
                taken += 1
        return extra

    def _material(self, answer: Answer, profile: Any, route: Route) -> Iterator[AnswerEvent]:
        cfg = self.settings.chain
        understood = self.understand(answer.standalone_question)
        answer.understood = understood.to_json()
        structured = compose_structured(understood, self.svc.curriculum, self.settings.curriculum.roadmap,
                                        answer.language, self.svc.prerequisites, answer.standalone_question)
        if structured is not None:
            yield from self._structured(answer, profile, structured, understood)
            return
        self.svc.require_index()  # a clear "run tutor ingest first" before any model loads
        t0 = time.perf_counter()
        sources = self.retrieve(answer.standalone_question)
        answer.timings["retrieve_s"] = round(time.perf_counter() - t0, 3)
        relevance = self.relevance(sources)
        answer.relevance = round(relevance, 4)
        named = understood.skills or understood.stages or understood.milestones  # the roadmap's own terms: in scope
        if self.refuses(relevance, answer.language) and not named and not _names_a_term_of(
                answer.standalone_question, sources[:3]):
            answer.refused = True
            answer.text = replies.refusal_reply(answer.language, relevance)
            answer.followups = replies.STARTER_QUESTIONS[answer.language][: cfg.followups]
            answer.next_step = replies.material_next_step(None, set(profile.finished), self.svc.next_steps(profile),
                                                          None, answer.language)
            yield from self._emit_text(answer.text)
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
            candidates = sources[:4] + self._section_candidates(answer.standalone_question, sources)
            blocks = select_blocks(answer.standalone_question, candidates, self.svc.embedder)
            text = render_blocks(blocks, sources, answer.language)
            answer.composition = "blocks"
            yield from self._emit_text(text)
        else:
            answer.composition = "llm"
        t1 = time.perf_counter()
        text, checks, removed = check_citations(text, sources, self.svc.embedder, cfg.citation_min_similarity,
                                                cfg.citation_min_overlap, cfg.citation_floor)
        answer.timings["citations_s"] = round(time.perf_counter() - t1, 3)
        answer.citation_checks, answer.removed_citations = checks, removed

        cited = [s for s in sources if s.cited]
        skill_no = next((n for s in cited + sources if (n := replies.skill_of_source(s))), None)
        self._finish(answer, profile, text, self.svc.curriculum.skill(skill_no) if skill_no else None,
                     cited[0].n if cited else None)

    def _finish(self, answer: Answer, profile: Any, text: str, skill: Any, source_n: int | None) -> None:
        """Next step (never what the learner already knows), follow-ups, warnings and the learner note."""
        cfg = self.settings.chain
        plan = self.svc.next_steps(profile) if skill is None or skill.number in profile.finished else None
        answer.next_step = replies.material_next_step(skill, set(profile.finished), plan, source_n, answer.language)
        answer.followups = replies.followups_for(skill, answer.language, cfg.followups, answer.question)
        parts = [text]
        if answer.weak:
            parts.insert(0, replies.weak_warning(answer.language, answer.relevance or 0.0))
        if answer.next_step:
            parts.append(replies.next_step_paragraph(answer.next_step, answer.language))
        if answer.learner_update and answer.learner_update.get("note"):
            parts.append(answer.learner_update["note"])
        answer.text = "\n\n".join(parts)

    def _structured(self, answer: Answer, profile: Any, structured: Structured,
                    understood: Understanding) -> Iterator[AnswerEvent]:
        """A curriculum question: the complete lists from the roadmap; an LLM may phrase them, never drop items."""
        answer.sources = structured.sources
        answer.composition = "structured"
        text: str | None = None
        chat = self._healthy_chat()
        if chat is not None:
            try:
                t0 = time.perf_counter()
                phrased = (PHRASE_PROMPTS[answer.language] | chat | StrOutputParser()).invoke(
                    {"question": answer.standalone_question, "answer": structured.text}).strip()
                answer.timings["generate_s"] = round(time.perf_counter() - t0, 3)
                if phrased:
                    text, dropped = ensure_items(phrased, structured, answer.language)
                    answer.composition = "structured+llm" + (f" ({len(dropped)} dropped item(s) restored)"
                                                             if dropped else "")
                    answer.backend = self.backend.label
            except Exception as exc:  # noqa: BLE001 - any backend failure: the structured text stands
                log.warning("Phrasing with the LLM failed (%s); using the structured answer", exc)
                self.backend.mark_down(f"{type(exc).__name__}: {exc}"[:200])
        if text is None:
            text = structured.text
            if self.backend.name != "none":
                answer.notice = None
        numbers = {int(n) for n in re.findall(r"\[(\d+)\]", text)}
        for s in answer.sources:
            s.cited = s.n in numbers
        answer.relevance = 1.0
        skills = understood.skills or [n for st in understood.stages for n in self.svc.curriculum.stage(st).skills]
        skill = self.svc.curriculum.skill(skills[0]) if len(skills) == 1 else None
        if skill is None and skills:  # a stage: the first of its skills the learner has not finished
            skill = next((self.svc.curriculum.skill(n) for n in skills if n not in profile.finished), None)
        yield from self._emit_text(text)
        self._finish(answer, profile, text, skill, None)

    def _generate(self, answer: Answer, profile: Any, sources: list[Source]) -> Iterator[AnswerEvent]:
        """Stream the model's answer; on any backend failure return None so the caller falls back."""
        prompt = ANSWER_PROMPTS[answer.language]
        learner = "、".join(self._finished_labels(profile)) or ("暂无" if answer.language == "zh" else "none yet")
        passages = []
        redacted_total = 0
        for s in sources:
            body, redacted = redact_instructions(s.text)
            redacted_total += redacted
            passages.append(format_passage(s.n, s.label, body))
        if redacted_total:
            log.warning("Redacted %d instruction-like line(s) from retrieved passages", redacted_total)
        # the template's text plus a few tokens of chat-format wrapping per message
        fixed = self.count_tokens(prompt.format(learner=learner, context="", question=answer.standalone_question)) + 16
        reserve = max(self.settings.chain.answer_reserve_tokens, self.settings.llm.max_tokens)
        kept, trimmed = fit_passages(passages, fixed, self.backend.context_window, reserve, self.count_tokens)
        if trimmed:
            log.info("Context trimmed to fit %d tokens: %d passage(s) cut or dropped (%s)",
                        self.backend.context_window, trimmed, self.count_tokens.method)
        kept_numbers = {int(m.group(1)) for p in kept if (m := re.match(r"\[(\d+)\]", p))}
        for s in list(sources):
            if s.n not in kept_numbers:
                sources.remove(s)
        inputs = {"learner": learner, "context": "\n\n".join(kept), "question": answer.standalone_question}
        pieces: list[str] = []
        t0 = time.perf_counter()
        try:
            chain = prompt | self.backend.chat_model() | StrOutputParser()
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
