"""services.common.db.json_text, the JSON columns' serializer: exactly json.dumps, empty containers included."""

from __future__ import annotations

import json

import pytest

from services.common.db import json_text

VALUES = [
    [],
    {},
    (),
    "",
    0,
    None,
    False,
    [[]],
    [{}],
    {"a": []},
    ["张三", 1, 2.5, None],
    {"城市": "深圳"},
    {1: "x"},
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_the_text_is_json_dumps(value: object) -> None:
    assert json_text(value) == json.dumps(value)
