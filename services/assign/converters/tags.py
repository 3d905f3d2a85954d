"""Tags: the message to a draft, a tag to a message."""

from __future__ import annotations

from leadflow.assign.v1 import assign_service_pb2 as pb
from services.assign.domain.commands import TagDraft
from services.assign.domain.tags import Tag
from services.common.protoconv import timestamp, to_enum


def tag_draft(message: pb.Tag) -> TagDraft:
    return TagDraft(display_name=message.display_name, scope=int(message.scope), state=int(message.state))


def tag_message(tag: Tag) -> pb.Tag:
    message = pb.Tag(
        id=tag.id,
        display_name=tag.display_name,
        scope=to_enum(pb.TagScope, tag.scope),
        owner_agent_id=tag.owner_agent_id,
        state=to_enum(pb.TagState, tag.state),
    )
    if tag.create_time is not None:
        message.create_time.CopyFrom(timestamp(tag.create_time))
    if tag.update_time is not None:
        message.update_time.CopyFrom(timestamp(tag.update_time))
    return message
