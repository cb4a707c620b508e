"""Token counts offline from the shipped BPE files, and fitting a prompt into the context."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

import bot
from bot import AssistError, Budget, TokenCounter, fit_prompt, get_token_counter

DATA = Path(bot.__file__).parent / "data" / "tiktoken"
OFFICIAL_URL = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
SAMPLES = [
    "Hei! Kan jeg returnere en vare jeg har åpnet? Ordre 123456, pris 1 299,-.",
    "Korleis kan eg endre leveringsadressa mi? Eg bur på Voss.",
    "Varför nekades min betalning? Jag har försökt tre gånger!!",
    "Hvornår får jeg pengene tilbage på mit kort?",
    "Milloin saan hyvityksen? Tilasin 14.3. ja palautin tuotteen.",
    "I'm sure we'll manage; they've said it's fine.\r\n\n  trailing   spaces  ",
    "emoji 🙂🚚 and <|endoftext|> as plain text, code `x = y**2`",
]


@pytest.fixture(scope="module")
def official(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """tiktoken's own encodings, read offline from a cache directory holding the shipped files
    under the names tiktoken gives downloads (the SHA-1 of the official URL)."""
    cache = tmp_path_factory.mktemp("tiktoken-cache")
    for name in ("cl100k_base", "o200k_base"):
        key = hashlib.sha1(OFFICIAL_URL.format(name=name).encode()).hexdigest()
        shutil.copy(DATA / f"{name}.tiktoken", cache / key)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TIKTOKEN_CACHE_DIR", str(cache))
        import tiktoken

        return {name: tiktoken.get_encoding(name) for name in ("cl100k_base", "o200k_base")}


@pytest.mark.parametrize("name", ["cl100k_base", "o200k_base"])
def test_counts_equal_tiktokens_own_encoding(name: str, official: dict[str, object]) -> None:
    ours = get_token_counter(tokenizer=name)
    reference = official[name]
    for text in SAMPLES:
        expected = reference.encode_ordinary(text)  # type: ignore[attr-defined]
        assert ours.encoding.encode_ordinary(text) == expected, text
        assert ours.count(text) == len(expected)


@pytest.mark.parametrize(
    ("model", "encoding"),
    [
        ("gpt-4o-mini", "o200k_base"),
        ("gpt-4", "cl100k_base"),
        ("gpt-3.5-turbo", "cl100k_base"),
        ("llama3.1:8b", "o200k_base"),
        (None, "o200k_base"),
    ],
)
def test_the_encoding_follows_the_model(model: str | None, encoding: str) -> None:
    assert get_token_counter(model).name == encoding


def test_an_explicit_tokenizer_wins_and_an_unknown_one_is_refused() -> None:
    assert get_token_counter("gpt-4o", "cl100k_base").name == "cl100k_base"
    with pytest.raises(ValueError, match="unknown tokenizer 'p50k_base'"):
        TokenCounter("p50k_base")


def test_message_counts_include_the_chat_overhead() -> None:
    counter = get_token_counter(tokenizer="o200k_base")
    assert (
        counter.count_messages(["Hei", "Hallo"])
        == counter.count("Hei") + counter.count("Hallo") + 2 * 4 + 3
    )


def _words(n: int) -> str:
    return " ".join(["ord"] * n)


def test_everything_fits_in_a_large_context() -> None:
    counter = get_token_counter(tokenizer="o200k_base")
    fitted = fit_prompt(counter, Budget(8192, 400), ["rules", "question"], ["a", "b"], ["h1", "h2"])
    assert (fitted.answers, fitted.history) == (2, 2)


def test_the_oldest_history_goes_first_then_the_lowest_answers() -> None:
    counter = get_token_counter(tokenizer="o200k_base")
    budget = Budget(context=1000, reply=200, margin=0.0)  # 800 tokens for the prompt
    history = [_words(150), _words(150), _words(150)]
    answers = [_words(200), _words(200), _words(200)]
    fitted = fit_prompt(counter, budget, ["rules", "question"], answers, history)
    assert (fitted.answers, fitted.history) == (3, 1)  # only the newest history item fits
    assert fitted.tokens <= 800
    shorter = fit_prompt(counter, budget, ["rules", "question"], answers[:2], history)
    assert (shorter.answers, shorter.history) == (2, 2)  # the two newest history items stay
    crowded = fit_prompt(counter, budget, [_words(300)], answers, [])
    assert crowded.answers == 2


def test_a_prompt_that_cannot_fit_raises_context_too_small() -> None:
    counter = get_token_counter(tokenizer="o200k_base")
    with pytest.raises(AssistError) as caught:
        fit_prompt(counter, Budget(context=600, reply=400), [_words(300)], [_words(100)], [])
    assert caught.value.code == "context_too_small"
    assert "context allows" in str(caught.value)
