from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class EncryptedValue(_message.Message):
    __slots__ = ("key_id", "wrapped_key", "ciphertext")
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    WRAPPED_KEY_FIELD_NUMBER: _ClassVar[int]
    CIPHERTEXT_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    wrapped_key: bytes
    ciphertext: bytes
    def __init__(self, key_id: _Optional[str] = ..., wrapped_key: _Optional[bytes] = ..., ciphertext: _Optional[bytes] = ...) -> None: ...
