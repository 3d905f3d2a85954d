"""Sealing the agent's phone for agent events (``domain.ports.PhoneSealer``).

``UnsealedPhones`` is the stand-in until the runtime's envelope encryption (``services.common.sealing``) is wired:
it wraps the number without encrypting it (key id ``unsealed``), so consumers can already read the field from its
final place in the contract. It must be replaced before agent events leave a development stack.
"""

from __future__ import annotations

from services.assign.domain.ports import PhoneSealer, SealedPhone

UNSEALED_KEY_ID = "unsealed"


class UnsealedPhones(PhoneSealer):
    def seal(self, tenant: str, phone: str) -> SealedPhone:
        return SealedPhone(UNSEALED_KEY_ID, b"", phone.encode())
