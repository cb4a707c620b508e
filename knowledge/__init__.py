"""The curated answer base: schema, loading, validation and import.

An answer base is a folder of YAML files, one core answer per file, plus an
optional `base.yaml` (settings) and `fields.yaml` (hand-off fields); see
ARCHITECTURE.md, "The answer base format".
"""

from knowledge.csv_import import import_csv
from knowledge.errors import (
    AnswerBaseChanged,
    AnswerBaseInvalid,
    CsvImportError,
    KnowledgeError,
    QuestionsNotAdded,
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
    UrgencyConfig,
    UrgencyRule,
)

__all__ = [
    "LANGUAGES",
    "MAX_QUESTION_CHARS",
    "URGENCY_LEVELS",
    "URGENCY_SIGNALS",
    "Answer",
    "AnswerBase",
    "AnswerBaseChanged",
    "AnswerBaseInvalid",
    "AnsweringPolicy",
    "BaseConfig",
    "BusinessHours",
    "CsvImportError",
    "Field",
    "Handoff",
    "KnowledgeError",
    "ProactiveRule",
    "Problem",
    "QuestionPlace",
    "QuestionsNotAdded",
    "ServiceTarget",
    "UrgencyConfig",
    "UrgencyRule",
    "check_answer_base",
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
]
