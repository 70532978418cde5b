"""Prerequisites between skills: stage order + the document's core path + explained extra edges."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tutor.curriculum.model import Curriculum, Skill
from tutor.errors import ConfigError

__all__ = ["CurriculumConfig", "Prerequisites", "core_path_skills", "find_skill", "load_curriculum_config"]


@dataclass
class CurriculumConfig:
    aliases: dict[str, list[str]] = field(default_factory=dict)
    core_path_aliases: dict[str, str] = field(default_factory=dict)
    extra_prerequisites: list[dict] = field(default_factory=list)


def load_curriculum_config(path: Path | None) -> CurriculumConfig:
    if path is None or not path.is_file():
        return CurriculumConfig()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML ({exc})") from exc
    return CurriculumConfig(
        aliases={k: [str(a) for a in v] for k, v in (data.get("aliases") or {}).items()},
        core_path_aliases=dict(data.get("core_path_aliases") or {}),
        extra_prerequisites=list(data.get("extra_prerequisites") or []),
    )


def find_skill(curriculum: Curriculum, key: str) -> Skill | None:
    """A skill by number, exact heading, 'skill N'/'技能点 N', or a name keyword."""
    text = str(key).strip()
    digits = text.removeprefix("技能点").removeprefix("skill").strip()
    if digits.isdigit():
        try:
            return curriculum.skill(int(digits))
        except KeyError:
            return None
    if text.startswith("技能点"):
        head = text.split("：")[0].split(":")[0]
        num = head.removeprefix("技能点").strip()
        if num.isdigit():
            try:
                return curriculum.skill(int(num))
            except KeyError:
                return None
    lowered = text.lower()
    for s in curriculum.skills:
        if s.heading == text or s.name.lower() == lowered:
            return s
    for s in curriculum.skills:
        if lowered and (lowered in s.name.lower() or s.name.lower() in lowered):
            return s
    return None


def core_path_skills(curriculum: Curriculum, config: CurriculumConfig) -> list[int]:
    """The skills the document's core path names, in its order ("大模型应用" -> its configured skill)."""
    out: list[int] = []
    for step in curriculum.core_path:
        skill = find_skill(curriculum, config.core_path_aliases.get(step, step))
        if skill is not None and skill.number not in out:
            out.append(skill.number)
    return out


class Prerequisites:
    """needs[n] = skills that must be done before skill n, each edge with its reason."""

    def __init__(self, curriculum: Curriculum, config: CurriculumConfig) -> None:
        self.curriculum = curriculum
        self.needs: dict[int, set[int]] = {s.number: set() for s in curriculum.skills}
        self.reasons: dict[tuple[int, int], str] = {}
        stages = sorted(curriculum.stages, key=lambda s: s.number)
        for prev, stage in zip(stages, stages[1:], strict=False):
            for n in stage.skills:
                for p in prev.skills:
                    self._add(n, p, f"{prev.heading} comes before {stage.heading}")
        steps = [self._path_skill(step, config) for step in curriculum.core_path]
        # the skill each core-path step names, through the configured abbreviations ("NLP" -> 自然语言处理)
        self.core_path_numbers: list[int | None] = [s.number if s else None for s in steps]
        for a, b in zip(steps, steps[1:], strict=False):
            if a and b and a.number != b.number:
                self._add(b.number, a.number, "core path: " + " → ".join(curriculum.core_path))
        for edge in config.extra_prerequisites:
            target = find_skill(curriculum, edge.get("skill", ""))
            if target is None:
                raise ConfigError(f"configs/curriculum.yaml: unknown skill '{edge.get('skill')}'")
            for need in edge.get("needs", []):
                req = find_skill(curriculum, need)
                if req is None:
                    raise ConfigError(f"configs/curriculum.yaml: unknown skill '{need}'")
                self._add(target.number, req.number, edge.get("why", "configured"))
        self._check_acyclic()

    def _path_skill(self, step: str, config: CurriculumConfig) -> Skill | None:
        return find_skill(self.curriculum, config.core_path_aliases.get(step, step))

    def _add(self, skill: int, needs: int, why: str) -> None:
        if skill != needs:
            self.needs[skill].add(needs)
            self.reasons.setdefault((skill, needs), why)

    def _check_acyclic(self) -> None:
        state: dict[int, int] = {}

        def visit(n: int, trail: list[int]) -> None:
            if state.get(n) == 1:
                raise ConfigError(f"prerequisite cycle: {' → '.join(map(str, trail + [n]))}")
            if state.get(n) == 2:
                return
            state[n] = 1
            for m in self.needs[n]:
                visit(m, trail + [n])
            state[n] = 2

        for n in self.needs:
            visit(n, [])

    def ancestors(self, skill: int) -> set[int]:
        out: set[int] = set()
        todo = list(self.needs[skill])
        while todo:
            n = todo.pop()
            if n not in out:
                out.add(n)
                todo.extend(self.needs[n])
        return out
