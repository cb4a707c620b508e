"""All settings of Samsvar: one pydantic-settings class, read from `CHAT_*` variables and `.env`.

Build it only at entry points (the CLI, the server); below them, pass explicit values.
Every field is documented in docs/configuration.md (a test keeps the two in step).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

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
    llm_base_url: str | None = Field(
        None,
        description="Base URL of an OpenAI-compatible endpoint (e.g. https://api.openai.com/v1, "
        "or http://127.0.0.1:11434/v1 for Ollama). Unset: no LLM; curated answers word for word.",
    )
    llm_model: str | None = Field(
        None,
        description="The model the endpoint serves (e.g. gpt-4o-mini, llama3.1:8b). "
        "Required with CHAT_LLM_BASE_URL.",
    )
    llm_api_key: SecretStr | None = Field(
        None,
        description="API key for the endpoint, sent as a bearer token. "
        "Unset for local servers that need none.",
    )
