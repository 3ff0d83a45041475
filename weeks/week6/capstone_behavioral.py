"""Capstone: behavioural question coverage (week6.capstone_behavioral).

Interviewers ask a few dozen behavioural questions in endless phrasings. This capstone checks
that your story bank answers all of them: the 30 questions of ``grader.mock.QUESTION_BANK``
(print them with ``python -c "from grader.mock import QUESTION_BANK as Q; [print(q.id, q.themes,
q.question) for q in Q]"``), each probing one or two themes. [#all-questions]

Your stories are the sections of three portfolio files, with their themes:

- ``star_stories.md``: every ``## Story N: title``, themed by its ``### Tags``; [#star-themes]
- ``leadership_examples.md``: every example (``## Design decision: title`` ...), themed
  "technical leadership" plus its kind (design decision: ownership; disagreement: disagreement and
  conflict resolution; quality bar: delivering results; mentoring: learning);
  [#leadership-themes]
- ``innovation_narratives.md``: every narrative, themed "innovation" plus its kind (reframed
  problem: dealing with ambiguity; measured improvement: delivering results; failed idea: failure
  and learning). [#innovation-themes]

The one function to write is :func:`answers`; :data:`PORTFOLIO` tells the grader where your
documents are (leave it as it is).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["PORTFOLIO", "answers"]

#: The folder holding your written week-6 deliverables.
PORTFOLIO: Path = Path(__file__).resolve().parent / "portfolio"


def answers() -> dict[str, list[str]]:
    """Which of your stories answer each behavioural question.

    Returns:
        Question id (``grader.mock.QUESTION_BANK``) -> the titles of the stories you would tell,
        best first. [#returns] A title is the part of the section heading after the first colon
        (``"Closing the studio-to-field gap"`` for ``## Story 1: Closing the studio-to-field
        gap``), compared ignoring case. [#title]

    The grader checks that:

    - every question id is known and has at least one story; [#covered]
    - every title names a story of your portfolio; [#titles-exist]
    - each story you list shares a theme with its question (an honest answer, not a
      stretch); [#theme]
    - no story is the *only* answer to more than five questions (an interviewer asks several
      questions: you need variety); [#variety]
    - every story you list has a quantified result (a number with a unit in its Result,
      Outcome or Evidence). [#quantified]
    """
    # TODO: return a dict with one entry per question id of grader.mock.QUESTION_BANK.
    raise NotImplementedError
