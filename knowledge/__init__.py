"""The curated answer base: schema, loading, validation and import.

An answer base is a folder of YAML files, one core answer per file, plus an
optional `base.yaml` (settings) and `fields.yaml` (hand-off fields); see
ARCHITECTURE.md, "The answer base format".
"""

from knowledge.csv_import import import_csv
from knowledge.errors import AnswerBaseInvalid, CsvImportError, KnowledgeError
from knowledge.loading import check_answer_base, get_demo_dir, load_answer_base
from knowledge.pages import match_page, pattern_specificity
from knowledge.schema import (
    LANGUAGES,
    URGENCY_LEVELS,
    URGENCY_SIGNALS,
    Answer,
    AnswerBase,
    BaseConfig,
    BusinessHours,
    Field,
    Handoff,
    ProactiveRule,
    Problem,
    UrgencyConfig,
    UrgencyRule,
)

__all__ = [
    "LANGUAGES",
    "URGENCY_LEVELS",
    "URGENCY_SIGNALS",
    "Answer",
    "AnswerBase",
    "AnswerBaseInvalid",
    "BaseConfig",
    "BusinessHours",
    "CsvImportError",
    "Field",
    "Handoff",
    "KnowledgeError",
    "ProactiveRule",
    "Problem",
    "UrgencyConfig",
    "UrgencyRule",
    "check_answer_base",
    "get_demo_dir",
    "import_csv",
    "load_answer_base",
    "match_page",
    "pattern_specificity",
]
