"""The demo answer base shipped with Samsvar."""

from __future__ import annotations

from knowledge import LANGUAGES, check_answer_base, get_demo_dir


def test_demo_base_loads_without_errors() -> None:
    base, problems = check_answer_base(get_demo_dir())
    errors = [str(problem) for problem in problems if problem.severity == "error"]
    assert errors == []
    assert base is not None
    assert len(base.published()) >= 40
    assert base.languages <= set(LANGUAGES)
    assert base.config.default_language in base.languages
