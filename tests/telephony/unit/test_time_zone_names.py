"""UpdateTelephonySettings' default_time_zone: a name the tz database cannot open as a file ("Asia" is a directory,
a 300-character name is too long) is a field violation, not an OSError (INTERNAL), as the fuzz suite found for
assign's time zones."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.common.errors import InvalidArgument
from services.telephony.domain.tenant_settings import SettingsPatch, TenantSettings, apply_patch

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("name", ["Asia", "x" * 300])
def test_a_zone_name_that_is_no_file_is_invalid(name: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        apply_patch(TenantSettings(), SettingsPatch(mask=("default_time_zone",), default_time_zone=name), NOW)
    assert [v.field for v in raised.value.violations] == ["settings.default_time_zone"]


def test_a_real_zone_is_taken() -> None:
    patch = SettingsPatch(mask=("default_time_zone",), default_time_zone="Asia/Urumqi")
    assert apply_patch(TenantSettings(), patch, NOW).default_time_zone == "Asia/Urumqi"
