"""What a visitor may send: not empty, at most MAX_MESSAGE_CHARS characters."""

from __future__ import annotations

import pytest

from bot import MAX_MESSAGE_CHARS, InvalidMessage, check_message


@pytest.mark.parametrize("text", ["", " ", "\n\t  \n"])
def test_empty_message(text: str) -> None:
    with pytest.raises(InvalidMessage) as caught:
        check_message(text)
    assert caught.value.code == "empty_message"
    assert "empty" in str(caught.value)


@pytest.mark.parametrize("length", [2001, 10_000])
def test_too_long_message(length: int) -> None:
    with pytest.raises(InvalidMessage) as caught:
        check_message("a" * length)
    assert caught.value.code == "message_too_long"
    assert f"{length:,}" in str(caught.value)
    assert "2,000" in str(caught.value)


def test_the_limit_itself_is_allowed_and_the_message_is_stripped() -> None:
    assert MAX_MESSAGE_CHARS == 2000
    assert check_message("a" * 2000) == "a" * 2000
    assert check_message("  " + "a" * 2000 + "\n") == "a" * 2000
    assert check_message("  hvor er pakken min?\n") == "hvor er pakken min?"
