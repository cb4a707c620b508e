"""The curated answer base: schema, loading, validation and import.

An answer base is a folder of YAML files, one core answer per file, plus an
optional `base.yaml` (settings), `fields.yaml` (hand-off fields) and `templates.yaml`
(the agents' registration templates); see
ARCHITECTURE.md, "The answer base format".

The names are imported when first used (PEP 562): a command that only reads a kept answer
base (`samsvar report`) does not import the YAML reader, the CSV import or the flows."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from knowledge.csv_import import import_csv
    from knowledge.errors import (
        AnswerBaseChanged,
        AnswerBaseInvalid,
        CsvImportError,
        KnowledgeError,
        QuestionsNotAdded,
    )
    from knowledge.flows import (
        DATE_RANGES,
        DURATION_UNITS,
        OPERATORS,
        QUESTION_TYPES,
        YES_NO,
        Branch,
        Condition,
        Decision,
        Duration,
        Ending,
        Flow,
        Option,
        Question,
        Step,
        collect_digest,
        collect_flow,
        same_text,
    )
    from knowledge.loading import check_answer_base, get_demo_dir, load_answer_base
    from knowledge.pages import match_page, pattern_specificity
    from knowledge.phrasings import (
        MAX_QUESTION_CHARS,
        QuestionPlace,
        do_add_questions,
        find_question,
        get_base_fingerprint,
        get_question_owners,
        normalise_question,
    )
    from knowledge.schema import (
        LANGUAGES,
        TEMPLATE_CHANNELS,
        URGENCY_LEVELS,
        URGENCY_SIGNALS,
        Answer,
        AnswerBase,
        AnsweringPolicy,
        BaseConfig,
        BusinessHours,
        Field,
        Handoff,
        ProactiveRule,
        Problem,
        ServiceTarget,
        Template,
        UrgencyConfig,
        UrgencyRule,
    )

_WHERE = {
    "import_csv": "knowledge.csv_import",
    "AnswerBaseChanged": "knowledge.errors",
    "AnswerBaseInvalid": "knowledge.errors",
    "CsvImportError": "knowledge.errors",
    "KnowledgeError": "knowledge.errors",
    "QuestionsNotAdded": "knowledge.errors",
    "DATE_RANGES": "knowledge.flows",
    "DURATION_UNITS": "knowledge.flows",
    "OPERATORS": "knowledge.flows",
    "QUESTION_TYPES": "knowledge.flows",
    "YES_NO": "knowledge.flows",
    "Branch": "knowledge.flows",
    "Condition": "knowledge.flows",
    "Decision": "knowledge.flows",
    "Duration": "knowledge.flows",
    "Ending": "knowledge.flows",
    "Flow": "knowledge.flows",
    "Option": "knowledge.flows",
    "Question": "knowledge.flows",
    "Step": "knowledge.flows",
    "collect_digest": "knowledge.flows",
    "collect_flow": "knowledge.flows",
    "same_text": "knowledge.flows",
    "check_answer_base": "knowledge.loading",
    "get_demo_dir": "knowledge.loading",
    "load_answer_base": "knowledge.loading",
    "match_page": "knowledge.pages",
    "pattern_specificity": "knowledge.pages",
    "MAX_QUESTION_CHARS": "knowledge.phrasings",
    "QuestionPlace": "knowledge.phrasings",
    "do_add_questions": "knowledge.phrasings",
    "find_question": "knowledge.phrasings",
    "get_base_fingerprint": "knowledge.phrasings",
    "get_question_owners": "knowledge.phrasings",
    "normalise_question": "knowledge._questions",
    "LANGUAGES": "knowledge.schema",
    "TEMPLATE_CHANNELS": "knowledge.schema",
    "URGENCY_LEVELS": "knowledge.schema",
    "URGENCY_SIGNALS": "knowledge.schema",
    "Answer": "knowledge.schema",
    "AnswerBase": "knowledge.schema",
    "AnsweringPolicy": "knowledge.schema",
    "BaseConfig": "knowledge.schema",
    "BusinessHours": "knowledge.schema",
    "Field": "knowledge.schema",
    "Handoff": "knowledge.schema",
    "ProactiveRule": "knowledge.schema",
    "Problem": "knowledge.schema",
    "ServiceTarget": "knowledge.schema",
    "Template": "knowledge.schema",
    "UrgencyConfig": "knowledge.schema",
    "UrgencyRule": "knowledge.schema",
}

__all__ = [
    "DATE_RANGES",
    "DURATION_UNITS",
    "LANGUAGES",
    "MAX_QUESTION_CHARS",
    "OPERATORS",
    "QUESTION_TYPES",
    "TEMPLATE_CHANNELS",
    "URGENCY_LEVELS",
    "URGENCY_SIGNALS",
    "YES_NO",
    "Answer",
    "AnswerBase",
    "AnswerBaseChanged",
    "AnswerBaseInvalid",
    "AnsweringPolicy",
    "BaseConfig",
    "Branch",
    "BusinessHours",
    "Condition",
    "CsvImportError",
    "Decision",
    "Duration",
    "Ending",
    "Field",
    "Flow",
    "Handoff",
    "KnowledgeError",
    "Option",
    "ProactiveRule",
    "Problem",
    "Question",
    "QuestionPlace",
    "QuestionsNotAdded",
    "ServiceTarget",
    "Step",
    "Template",
    "UrgencyConfig",
    "UrgencyRule",
    "check_answer_base",
    "collect_digest",
    "collect_flow",
    "do_add_questions",
    "find_question",
    "get_base_fingerprint",
    "get_demo_dir",
    "get_question_owners",
    "import_csv",
    "load_answer_base",
    "match_page",
    "normalise_question",
    "pattern_specificity",
    "same_text",
]


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'knowledge' has no attribute {name!r}")
    value = getattr(importlib.import_module(where), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
