"""Counting tokens offline, and fitting a prompt into the model's context.

The BPE files of `cl100k_base` and `o200k_base` ship in `bot/data/tiktoken/` and are loaded
with `tiktoken.load.load_tiktoken_bpe(path, expected_hash)`, so nothing is downloaded.
Models with another tokenizer (Llama, Mistral, Qwen behind Ollama, vLLM or llama.cpp) get
`o200k_base` counts, which are close but not exact: `Budget.margin` keeps a reserve for that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from bot.errors import AssistError

__all__ = ["ENCODINGS", "Budget", "Fitted", "TokenCounter", "fit_prompt", "get_token_counter"]

# The pre-tokeniser patterns and special tokens of the two encodings (OpenAI's published
# definitions, which tiktoken_ext.openai_public builds from the network; a test checks that
# these give exactly tiktoken's own token ids).
_CL100K_PATTERN = "|".join(
    [
        r"'(?i:[sdmt]|ll|ve|re)",
        r"[^\r\n\p{L}\p{N}]?+\p{L}++",
        r"\p{N}{1,3}+",
        r" ?[^\s\p{L}\p{N}]++[\r\n]*+",
        r"\s++$",
        r"\s*[\r\n]",
        r"\s+(?!\S)",
        r"\s",
    ]
)
_CONTRACTIONS = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
_UPPER = r"[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]"
_LOWER = r"[\p{Ll}\p{Lm}\p{Lo}\p{M}]"
_O200K_PATTERN = "|".join(
    [
        rf"[^\r\n\p{{L}}\p{{N}}]?{_UPPER}*{_LOWER}+{_CONTRACTIONS}",
        rf"[^\r\n\p{{L}}\p{{N}}]?{_UPPER}+{_LOWER}*{_CONTRACTIONS}",
        r"\p{N}{1,3}",
        r" ?[^\s\p{L}\p{N}]+[\r\n/]*",
        r"\s*[\r\n]+",
        r"\s+(?!\S)",
        r"\s+",
    ]
)


@dataclass(frozen=True, slots=True)
class _Definition:
    sha256: str
    pattern: str
    special: tuple[tuple[str, int], ...]


ENCODINGS: dict[str, _Definition] = {
    "cl100k_base": _Definition(
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        _CL100K_PATTERN,
        (
            ("<|endoftext|>", 100257),
            ("<|fim_prefix|>", 100258),
            ("<|fim_middle|>", 100259),
            ("<|fim_suffix|>", 100260),
            ("<|endofprompt|>", 100276),
        ),
    ),
    "o200k_base": _Definition(
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        _O200K_PATTERN,
        (("<|endoftext|>", 199999), ("<|endofprompt|>", 200018)),
    ),
}
DEFAULT_ENCODING = "o200k_base"
MESSAGE_OVERHEAD = 4  # role and separators of one chat message
REPLY_PRIMING = 3  # tokens that start the assistant's reply


class TokenCounter:
    """Counts tokens with one of the shipped encodings."""

    def __init__(self, name: str) -> None:
        if name not in ENCODINGS:
            known = ", ".join(sorted(ENCODINGS))
            raise ValueError(f"unknown tokenizer {name!r}; the shipped ones are {known}")
        import tiktoken
        from tiktoken.load import load_tiktoken_bpe

        definition = ENCODINGS[name]
        path = resources.files("bot") / "data" / "tiktoken" / f"{name}.tiktoken"
        with resources.as_file(path) as local:
            ranks = load_tiktoken_bpe(str(local), expected_hash=definition.sha256)
        self.name = name
        self.encoding: Any = tiktoken.Encoding(
            name,
            pat_str=definition.pattern,
            mergeable_ranks=ranks,
            special_tokens=dict(definition.special),
        )

    def count(self, text: str) -> int:
        """Tokens in `text` (special-token text counts as ordinary text)."""
        return len(self.encoding.encode_ordinary(text))

    def count_messages(self, contents: Sequence[str]) -> int:
        """Tokens of a chat prompt with these message contents, reply priming included."""
        return sum(self.count(c) + MESSAGE_OVERHEAD for c in contents) + REPLY_PRIMING


def _encoding_for(model: str | None) -> str:
    if model:
        import tiktoken

        try:
            name = str(tiktoken.encoding_name_for_model(model))
        except KeyError:
            return DEFAULT_ENCODING
        return name if name in ENCODINGS else DEFAULT_ENCODING
    return DEFAULT_ENCODING


@cache
def get_token_counter(model: str | None = None, tokenizer: str | None = None) -> TokenCounter:
    """The counter for `tokenizer`, else for the model's encoding, else `o200k_base` (cached)."""
    return TokenCounter(tokenizer or _encoding_for(model))


@dataclass(frozen=True, slots=True)
class Budget:
    """The model's context size, the tokens kept for its reply, and a reserve for miscounts."""

    context: int = 8192
    reply: int = 400
    margin: float = 0.1

    @property
    def prompt_limit(self) -> int:
        return int((self.context - self.reply) * (1 - self.margin))


@dataclass(frozen=True, slots=True)
class Fitted:
    """How much fits: the first `answers` answers and the last `history` history items."""

    answers: int
    history: int
    tokens: int


def fit_prompt(
    counter: TokenCounter,
    budget: Budget,
    required: Sequence[str],
    answers: Sequence[str],
    history: Sequence[str],
) -> Fitted:
    """Fit the prompt: drop the oldest history first, then the lowest-ranked answers.

    `required` (instructions, the question) and the first answer always stay; when even they
    do not fit, raises AssistError with code `context_too_small`.
    """
    fixed = counter.count_messages(required)
    answer_costs = [counter.count(a) + MESSAGE_OVERHEAD for a in answers]
    history_costs = [counter.count(h) + MESSAGE_OVERHEAD for h in history]
    n_answers, first_history = len(answers), 0
    limit = budget.prompt_limit

    def total() -> int:
        return fixed + sum(answer_costs[:n_answers]) + sum(history_costs[first_history:])

    while total() > limit and first_history < len(history):
        first_history += 1
    while total() > limit and n_answers > 1:
        n_answers -= 1
    if total() > limit:
        raise AssistError(
            f"the prompt needs {total():,} tokens; the model's context allows {limit:,} "
            f"after {budget.reply:,} for the reply",
            "context_too_small",
        )
    return Fitted(n_answers, len(history) - first_history, total())
