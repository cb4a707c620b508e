"""Labels of choices: how an answer is named on a quick-reply button."""

from __future__ import annotations

from bot.language import detect_language
from knowledge import AnswerBase


class Labels:
    """An answer's first question in the visitor's language, else its title.

    Titles are written for people, usually in one language, so a question in the visitor's
    own language reads better on a button. Labels are cached per answer and language.
    """

    def __init__(self, base: AnswerBase) -> None:
        self._base = base
        self._cache: dict[tuple[str, str], str] = {}

    def get(self, answer_id: str, lang: str) -> str:
        key = (answer_id, lang)
        if key not in self._cache:
            self._cache[key] = self._find(answer_id, lang)
        return self._cache[key]

    def _find(self, answer_id: str, lang: str) -> str:
        answer = self._base.get(answer_id)
        if answer is None:
            return answer_id
        for question in answer.questions:
            if detect_language(question, default=lang).lang == lang:
                return question
        return answer.title
