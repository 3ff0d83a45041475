"""Reading written deliverables (Markdown): sections, words, numbers, diagrams.

A written deliverable starts as a template: headings plus HTML-comment guidance. While the
learner has written (almost) nothing beyond that, :func:`load` raises ``NotImplementedError`` so
the grader reports "not started" rather than a wall of failures. Judges build on
:class:`Document`; the file is only read, never written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt

__all__ = ["MIN_STARTED_WORDS", "Document", "load", "parse", "words"]

MIN_STARTED_WORDS = 25
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’\-\.%/]*")
_NUMBER = re.compile(r"(?<![\w.])[-+]?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?")
_HEADING = re.compile(r"^#.*$", re.MULTILINE)
_md = MarkdownIt("commonmark")


def words(text: str) -> int:
    """Words of prose in ``text`` (comments excluded)."""
    return len(_WORD.findall(_COMMENT.sub(" ", text)))


@dataclass(frozen=True)
class Document:
    """A parsed Markdown deliverable.

    Attributes:
        path: where it was read from.
        text: the full text.
        title: the first level-1 heading ("" when there is none).
        sections: level-2 sections in order, heading text -> body (comments removed; the body runs
            to the next level-1 or level-2 heading and includes deeper headings).
        fences: fenced code blocks as (info string, content), e.g. ("mermaid", "flowchart LR ...").
    """

    path: Path
    text: str
    title: str = ""
    sections: dict[str, str] = field(default_factory=dict)
    fences: tuple[tuple[str, str], ...] = ()

    def section(self, *names: str) -> str | None:
        """The body of the first section whose heading contains one of ``names`` (any case)."""
        for heading, body in self.sections.items():
            lowered = heading.lower()
            if any(name.lower() in lowered for name in names):
                return body
        return None

    def missing(self, required: dict[str, tuple[str, ...]], min_words: int = 1) -> list[str]:
        """Required sections (name -> accepted heading words) that are absent or too short."""
        absent = []
        for name, synonyms in required.items():
            body = self.section(name, *synonyms)
            if body is None or words(body) < min_words:
                absent.append(name)
        return absent

    def too_short(self, required: dict[str, tuple[tuple[str, ...], int]]) -> list[str]:
        """``"Name (N words, need M)"`` for each required section that is absent or too short.

        ``required`` maps a section name to (accepted heading words, minimum words); the name is
        accepted as a heading word too, and every section needs at least one word.
        """
        short = []
        for name, (synonyms, minimum) in required.items():
            body = self.section(name, *synonyms)
            size, need = words(body or ""), max(minimum, 1)
            if body is None or size < need:
                short.append(f"{name} ({size} words, need {need})")
        return short

    def mermaid(self) -> list[str]:
        """The contents of every ```mermaid fenced block."""
        return [content for info, content in self.fences if info.split()[:1] == ["mermaid"]]

    def numbers(self, text: str | None = None) -> list[float]:
        """Every number written in ``text`` (default: the whole document), commas removed."""
        found = _NUMBER.findall(_COMMENT.sub(" ", self.text if text is None else text))
        return [float(n.replace(",", "")) for n in found]

    @property
    def words(self) -> int:
        return words(self.text)


def parse(text: str, path: Path = Path("<text>")) -> Document:
    """Parse Markdown ``text`` into a :class:`Document`."""
    tokens = _md.parse(text)
    lines = text.splitlines()
    title = ""
    headings: list[tuple[int, int, str]] = []  # (level, first body line, heading text)
    fences = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.map:
            level = int(token.tag[1])
            content = tokens[i + 1].content.strip()
            if level == 1 and not title:
                title = content
            if level <= 2:
                headings.append((level, token.map[1], content))
        elif token.type == "fence":
            fences.append((token.info.strip(), token.content))
    sections: dict[str, str] = {}
    for index, (level, start, heading) in enumerate(headings):
        if level != 2:
            continue
        end = headings[index + 1][1] - 1 if index + 1 < len(headings) else len(lines)
        body = "\n".join(lines[start:end])
        sections[heading] = _COMMENT.sub("", body).strip()
    return Document(path=path, text=text, title=title, sections=sections, fences=tuple(fences))


def load(path: Path, *, min_words: int = MIN_STARTED_WORDS) -> Document:
    """Read a written deliverable; raise ``NotImplementedError`` while it is still the template.

    Raises:
        FileNotFoundError: with a message naming the file the learner should restore or create.
        NotImplementedError: fewer than ``min_words`` words outside headings and comments.
    """
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} does not exist: restore the template with `git checkout -- {path}`"
        )
    document = parse(path.read_text(encoding="utf-8"), path)
    bodies = document.sections.values() if document.sections else [document.text]
    prose = sum(words(_HEADING.sub("", body)) for body in bodies)
    if prose < min_words:
        raise NotImplementedError(
            f"{path.name} is still the template ({prose} words written under its headings): "
            "fill in each section"
        )
    return document
