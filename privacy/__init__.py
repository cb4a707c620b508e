"""Data protection: export and erase everything stored about a person, the retention policy
on a schedule, and the database files cleaned after (docs/privacy.md, decision 0110).

Masking card and identity numbers before they are stored is `bot.mask_personal_data`, applied
by `conversations.storage`; this package removes what was stored.
"""

from privacy.audit import CLI, Actor
from privacy.data import ERASED, TABLES, Erasure, do_erase, do_retention, export_subject
from privacy.errors import BadSubject, PrivacyError
from privacy.files import clean_files
from privacy.schedule import RETENTION_EVERY, keep_retention
from privacy.subjects import Subject, find_visitors

__all__ = [
    "CLI",
    "ERASED",
    "RETENTION_EVERY",
    "TABLES",
    "Actor",
    "BadSubject",
    "Erasure",
    "PrivacyError",
    "Subject",
    "clean_files",
    "do_erase",
    "do_retention",
    "export_subject",
    "find_visitors",
    "keep_retention",
]
