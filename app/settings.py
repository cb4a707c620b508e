"""All settings of Samsvar: one pydantic-settings class, read from `CHAT_*` variables and `.env`.

Build it only at entry points (the CLI, the server); below them, pass explicit values.
Every field is documented in docs/configuration.md (a test keeps the two in step).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHAT_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        Path("var"),
        description="Folder for all local state: the embedded Chroma index, fitted models.",
    )
    answers_dir: Path | None = Field(
        None,
        description="The answer base folder. Default: the demo answer base shipped with Samsvar.",
    )
    chroma_url: str | None = Field(
        None,
        description="URL of a Chroma server (e.g. http://127.0.0.1:8000). "
        "Default: an embedded Chroma under the data directory.",
    )
    answer_threshold: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="Answer when the confidence is at least this. "
        "Default: calibrated automatically for each answer base.",
    )
    clarify_threshold: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="Offer two or three choices when the top-3 confidence is at least this. "
        "Default: calibrated automatically for each answer base.",
    )
    log_level: str = Field("WARNING", description="Python logging level (DEBUG, INFO, WARNING).")

    # The server (`samsvar serve`): storage, HTTP and the visitor WebSocket.
    database_url: SecretStr | None = Field(
        None,
        description="Database URL (SQLAlchemy), e.g. postgresql://user:pw@host/samsvar. "
        "Default: the SQLite file samsvar.db in the data directory.",
    )
    host: str = Field("127.0.0.1", description="Address `samsvar serve` listens on.")
    port: int = Field(8000, ge=0, le=65535, description="Port `samsvar serve` listens on.")
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Web origins (scheme://host[:port], comma-separated, or *) of the sites that "
        "embed the widget; checked for CORS and the WebSocket's Origin. "
        "The server's own origin is always allowed.",
    )
    rate_limit_messages: int = Field(
        20, ge=1, description="Messages one visitor may send within CHAT_RATE_LIMIT_SECONDS."
    )
    rate_limit_seconds: float = Field(
        60.0, gt=0, description="The window of the per-visitor message rate limit, in seconds."
    )
    conversation_idle_hours: float = Field(
        24.0,
        gt=0,
        description="A conversation with the bot that has been idle this long is not resumed: "
        "the widget's next visit starts a new one (the old one becomes history).",
    )
    turn_workers: int = Field(
        2, ge=1, le=64, description="Threads that run bot turns off the server's event loop."
    )

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip().rstrip("/") for part in value.split(",") if part.strip()]
        return value
