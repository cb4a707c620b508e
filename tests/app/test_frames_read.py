"""Reading a WebSocket frame (`read_frame`, decision 0113): depth is refused before parsing,
lone surrogates anywhere (keys too) are a bad request whose message can itself be sent."""

from __future__ import annotations

import json

import pytest

from app.errors import BadRequest
from app.web.schemas import MAX_DEPTH, read_frame


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("[" * 30_000 + "]" * 30_000, "the frame nests deeper than 32 levels"),
        ('{"a": ' * 33 + "1" + "}" * 33, "the frame nests deeper than 32 levels"),
        ('{"text": "Hei \\ud83d"}', "frame field `text`: the text has a lone UTF-16 surrogate"),
        ('{"\\udc00": 1}', "frame field `\\udc00`: the text has a lone UTF-16 surrogate"),
        ('{"a": [1, {"b": "\\ud800x"}]}', "frame field `a.1.b`: the text has a lone"),
        ("{not json", "the frame is not valid JSON"),
    ],
)
def test_bad_frames_are_bad_requests_that_can_be_sent(raw: str, message: str) -> None:
    with pytest.raises(BadRequest) as refused:
        read_frame(raw)
    assert refused.value.message.startswith(message)
    refused.value.message.encode("utf-8")  # the error frame can go out as UTF-8


def test_good_frames_pass_brackets_in_text_and_surrogate_pairs_included() -> None:
    deep_text = json.dumps({"type": "message", "text": "[" * 100, "client_id": "c"})
    assert read_frame(deep_text)["text"] == "[" * 100
    assert read_frame('{"text": "\\ud83d\\ude00"}') == {"text": "😀"}
    nested = '{"a": ' * (MAX_DEPTH - 1) + "1" + "}" * (MAX_DEPTH - 1)
    assert isinstance(read_frame(nested), dict)
