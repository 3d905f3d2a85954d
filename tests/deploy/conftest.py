"""One authenticated stack for the tests of this directory that need the services running."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.deploy.stack import Stack, running_stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory.mktemp("stack")) as running:
        yield running
