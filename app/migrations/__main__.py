"""For developers: `python -m app.migrations revision --autogenerate -m "…"`.

Runs Alembic's own command line on this folder, with the database of the current settings
(`CHAT_DATABASE_URL`, else the SQLite file in `CHAT_DATA_DIR`).
"""

from __future__ import annotations

import sys

from alembic.config import CommandLine

from app.migrate import alembic_config
from app.settings import Settings
from conversations.storage.database import get_database_url

settings = Settings()
url = get_database_url(settings.database_url, settings.data_dir)
cli = CommandLine(prog="python -m app.migrations")
options = cli.parser.parse_args(sys.argv[1:])
cli.run_cmd(alembic_config(url=url.render_as_string(hide_password=False)), options)
