"""All settings of Samsvar: one pydantic-settings class, read from `CHAT_*` variables and `.env`.

Build it only at entry points (the CLI, the server); below them, pass explicit values.
Every field is documented in docs/configuration.md (a test keeps the two in step).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
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
    redis_url: SecretStr | None = Field(
        None,
        description="Redis URL (redis://[:password@]host:port/db, rediss:// for TLS) shared by "
        "several `samsvar serve` processes behind a load balancer: live frames, locks, rate "
        "limits and sign-in throttling cross processes through it. Default: unset, all in "
        "this one process.",
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
    rate_limit_new_visitors: int = Field(
        60,
        ge=1,
        description="New visitors one client address may create within 10 minutes (POST "
        "/visitors, or a `hello` without a visitor id). Behind a reverse proxy, the address "
        "is the one the proxy forwards (uvicorn's FORWARDED_ALLOW_IPS names trusted proxies).",
    )
    rate_limit_hellos: int = Field(
        600,
        ge=1,
        description="`hello` frames one client address may send within 10 minutes (one per "
        "page a visitor opens; one connection may send at most 20).",
    )
    rate_limit_typing: int = Field(
        120, ge=1, description="`typing` frames one client address may send within a minute."
    )
    channel_api_requests: int = Field(
        600,
        ge=1,
        description="Calls one key of the channel API may make within a minute "
        "(docs/channel-api.md).",
    )
    webhook_timeout_seconds: float = Field(
        5.0,
        gt=0,
        le=60,
        description="How long one webhook try may take before it counts as timed out and is "
        "tried again later.",
    )
    webhook_poll_seconds: float = Field(
        2.0,
        gt=0,
        le=300,
        description="How often the server looks for new case events to send to webhooks and "
        "for deliveries due again.",
    )
    identity_secret: SecretStr | None = Field(
        None,
        description="The secret a site signs its signed-in customer's id with (HMAC-SHA256, "
        'docs/widget.md "Signed-in customers"). Unset: the server refuses signed identities. '
        "Use at least 32 random bytes, e.g. `python -c 'import secrets; "
        "print(secrets.token_urlsafe(32))'`.",
    )
    conversation_idle_hours: float = Field(
        24.0,
        gt=0,
        description="A conversation with the bot that has been idle this long is not resumed: "
        "the widget's next visit starts a new one (the old one becomes history).",
    )
    turn_workers: int = Field(
        8,
        ge=1,
        le=64,
        description="Threads that run bot turns off the server's event loop. Turns that wait for "
        "the encoder together are embedded in one call (CHAT_ENCODE_BATCH), so a few more "
        "threads than cores keep it busy with batches.",
    )
    encode_batch: int = Field(
        16,
        ge=1,
        le=256,
        description="The most visitor questions embedded in one call to the model when turns "
        "arrive while it is busy; 1 embeds every question on its own.",
    )

    # The hand-off (docs/handoff.md): agents, sign-ins, time-outs.
    handoff_answer_timeout_seconds: float = Field(
        120.0,
        gt=0,
        description="A case assigned to an agent who has not answered it within this many "
        "seconds goes back to the queue (and to another agent).",
    )
    handoff_sweep_seconds: float = Field(
        5.0,
        gt=0,
        le=300,
        description="How often the server checks for unanswered assigned cases and raises the "
        "urgency of cases that have waited long (waiting_minutes rules), and how long an agent "
        "WebSocket may stay quiet before its sign-in is checked again.",
    )
    handoff_reopen_days: float = Field(
        7.0,
        ge=0,
        description="A visitor who says the problem is not solved within this many days of the "
        "resolution reopens the case instead of starting over.",
    )
    handoff_reopen_window_seconds: float = Field(
        600.0,
        ge=0,
        description="After a case is resolved, any message the visitor writes within this many "
        "seconds continues it and reopens it. Later, within CHAT_HANDOFF_REOPEN_DAYS, only a "
        "message that says the problem is not solved reopens it; any other message is a new "
        "question for the bot.",
    )
    handoff_handle_minutes: float = Field(
        6.0,
        gt=0,
        description="Minutes an agent is assumed to spend on a case, for the visitor's expected "
        "wait, until the team has 5 resolved cases to measure it from.",
    )
    agent_sign_in_hours: float = Field(
        12.0,
        gt=0,
        le=24 * 30,
        description="How long an agent's sign-in lasts before the console asks to sign in again.",
    )
    agent_cookie_secure: bool = Field(
        False,
        description="Send the agent sign-in cookie only over HTTPS (turn on behind HTTPS).",
    )

    # Data protection (docs/privacy.md).
    retention_days: int = Field(
        180,
        ge=0,
        le=36_500,
        description="Days after its last message that a conversation is erased (its cases, "
        "messages and the text of its inquiries; the counts stay), checked every hour by the "
        "server and by `samsvar privacy retention`. 0: kept until erased by hand.",
    )
    audit_retention_days: int = Field(
        365,
        ge=0,
        le=36_500,
        description="Days an audit log entry is kept (it holds the client address of who "
        "acted); older entries are deleted by the retention round (every hour in the server, "
        "and `samsvar privacy retention`). 0: kept forever.",
    )
    privacy_vacuum_full: bool = Field(
        False,
        description="PostgreSQL: rewrite the touched tables with VACUUM FULL after an erasure "
        "or a retention round (no old bytes left in the table files, but each table is locked "
        "while it is rewritten). Off: plain VACUUM.",
    )

    # The weekly report (docs/insights.md): every Monday 07:00 in the base's time zone.
    report_recipients: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="E-mail addresses (comma-separated) that get the weekly report every Monday "
        "at 07:00 in the base's time zone. Empty: no weekly report. Needs CHAT_SMTP_HOST.",
    )
    report_retry_minutes: float = Field(
        15.0,
        gt=0,
        le=24 * 60,
        description="Minutes before the weekly report is tried again when the SMTP server "
        "refused it or could not be reached (it is kept, and sent once).",
    )
    report_language: Literal["nb", "nn", "sv", "da", "fi", "en"] | None = Field(
        None,
        description="The language of the weekly report's e-mail (nb, nn, sv, da, fi or en). "
        "Empty: the answer base's default language.",
    )
    smtp_host: str | None = Field(
        None,
        description="The SMTP server that sends the weekly report and the e-mail channel's "
        "mail (e.g. smtp.example.com).",
    )
    smtp_port: int = Field(587, ge=1, le=65535, description="The SMTP server's port.")
    smtp_starttls: bool = Field(
        True,
        description="Switch to TLS with STARTTLS before logging in (the server's certificate is "
        "checked against the system's trusted ones). Turn off only for a server on loopback.",
    )
    smtp_username: str | None = Field(
        None, description="The SMTP login's user name; unset: no login."
    )
    smtp_password: SecretStr | None = Field(None, description="The SMTP login's password.")
    smtp_from: str = Field(
        "samsvar@localhost", description="The sender address of the weekly report."
    )
    smtp_timeout: float = Field(
        30.0, gt=0, le=300, description="Seconds the SMTP server may take to answer."
    )

    # The e-mail channel (docs/email.md, decision 0121).
    email_address: str | None = Field(
        None,
        description="The support address: mail to it becomes an inquiry on the e-mail channel, "
        "and every automatic mail and agent reply is sent from it. Unset: no e-mail channel. "
        "Needs CHAT_SMTP_HOST.",
    )
    email_receiver_host: str = Field(
        "127.0.0.1",
        description="Where the e-mail receiver listens for the mail server that forwards the "
        "support address's mail (SMTP, or LMTP with CHAT_EMAIL_RECEIVER_LMTP).",
    )
    email_receiver_port: int = Field(
        2525, ge=0, le=65535, description="The e-mail receiver's port (0: a free one)."
    )
    email_receiver_lmtp: bool = Field(
        False, description="Speak LMTP instead of SMTP (for a mail server's LMTP delivery)."
    )
    email_max_mb: float = Field(
        50.0,
        gt=0,
        le=500,
        description="The largest mail the receiver accepts, in MB (a larger one is refused "
        "with 552 by the receiver, so the sending server tells its sender).",
    )
    email_attachment_mb: float = Field(
        10.0,
        gt=0,
        le=500,
        description="The largest attachment kept, in MB; a larger one is recorded with its name "
        "and size as left out, so the agent sees that something is missing.",
    )
    email_per_sender_hour: int = Field(
        5,
        ge=0,
        le=10_000,
        description="At most this many automatic mails (answers, acknowledgements) to one "
        "address an hour: a loop with an auto-responder that marks nothing stops here.",
    )
    email_reply_after_minutes: float = Field(
        2.0,
        ge=0,
        le=24 * 60,
        description="A widget case's visitor who left an e-mail address and has not been seen "
        "this many minutes after an agent's reply gets the reply by e-mail too.",
    )

    @field_validator("report_recipients", mode="before")
    @classmethod
    def _split_recipients(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _report_needs_smtp(self) -> Settings:
        if self.report_recipients and not self.smtp_host:
            raise ValueError("CHAT_SMTP_HOST must be set when CHAT_REPORT_RECIPIENTS is set")
        if self.email_address and not self.smtp_host:
            raise ValueError("CHAT_SMTP_HOST must be set when CHAT_EMAIL_ADDRESS is set")
        if self.email_address and "@" not in self.email_address.strip("@"):
            raise ValueError(f"CHAT_EMAIL_ADDRESS: not an e-mail address: {self.email_address}")
        bad = [a for a in self.report_recipients if "@" not in a.strip("@")]
        if bad:
            raise ValueError(f"CHAT_REPORT_RECIPIENTS: not an e-mail address: {', '.join(bad)}")
        return self

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip().rstrip("/") for part in value.split(",") if part.strip()]
        return value

    # --- optional LLM help (docs/llm.md); with no base URL nothing LLM-related is loaded ---
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
    llm_timeout: float = Field(
        15.0,
        gt=0,
        le=300,
        description="Seconds one LLM call may take, retries included; a streamed reply gets "
        "them until its first token and between tokens.",
    )
    llm_retries: int = Field(
        1, ge=0, le=5, description="Retries of a failed LLM call (time-out, 429, 5xx)."
    )
    llm_retry_backoff: float = Field(
        0.25,
        ge=0,
        le=10,
        description="Seconds before the first retry; doubled for each further one, with jitter.",
    )
    llm_breaker_failures: int = Field(
        5,
        ge=1,
        description="Failed or slow LLM calls in a row that open the circuit breaker.",
    )
    llm_breaker_reset: float = Field(
        30.0,
        gt=0,
        description="Seconds the open breaker refuses calls before it lets one trial call out.",
    )
    llm_slow_call: float = Field(
        10.0,
        gt=0,
        description="A successful LLM call slower than this counts as a failure for the breaker.",
    )
    llm_context_tokens: int = Field(
        8192,
        ge=1024,
        description="The model's context size in tokens; prompts are fitted into it.",
    )
    llm_max_reply_tokens: int = Field(
        400, ge=50, le=8192, description="Tokens the model may write in one reply."
    )
    llm_temperature: float = Field(0.2, ge=0, le=2, description="Sampling temperature.")
    llm_tokenizer: Literal["cl100k_base", "o200k_base"] | None = Field(
        None,
        description="Tokenizer for counting tokens. Default: the model's own when tiktoken "
        "knows it, else o200k_base.",
    )
    llm_redact: bool = Field(
        True,
        description="Replace personal data in everything sent to the LLM by placeholders, and "
        "put it back in what comes back.",
    )
    llm_replies: Literal["grounded", "translate", "curated"] = Field(
        "grounded",
        description="grounded: the LLM writes replies from the curated answers; translate: "
        "curated text, translated by the LLM only where a language is missing; curated: "
        "curated text only (the LLM still rewrites follow-ups and summarises hand-offs).",
    )
    llm_stream: bool = Field(
        True, description="Stream LLM-written replies to the visitor in checked parts."
    )
    llm_turn_workers: int = Field(
        32,
        ge=1,
        le=256,
        description="Threads that run bot turns when an LLM is configured (used when above "
        "CHAT_TURN_WORKERS): such a turn mostly waits for the endpoint.",
    )

    @field_validator("llm_base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value or None

    @model_validator(mode="after")
    def _llm_needs_a_model(self) -> Settings:
        if self.llm_base_url and not self.llm_model:
            raise ValueError("CHAT_LLM_MODEL must be set when CHAT_LLM_BASE_URL is set")
        return self
