from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor

class Channel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHANNEL_UNSPECIFIED: _ClassVar[Channel]
    CHANNEL_FORM: _ClassVar[Channel]
    CHANNEL_INBOUND_CALL: _ClassVar[Channel]
    CHANNEL_WECHAT: _ClassVar[Channel]
    CHANNEL_PRIVATE_MESSAGE: _ClassVar[Channel]
    CHANNEL_THIRD_PARTY: _ClassVar[Channel]
    CHANNEL_IMPORT: _ClassVar[Channel]

class TrafficSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRAFFIC_SOURCE_UNSPECIFIED: _ClassVar[TrafficSource]
    TRAFFIC_SOURCE_AD_DIRECT: _ClassVar[TrafficSource]
    TRAFFIC_SOURCE_AD_INDIRECT: _ClassVar[TrafficSource]
    TRAFFIC_SOURCE_ORGANIC: _ClassVar[TrafficSource]

class BusinessSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BUSINESS_SOURCE_UNSPECIFIED: _ClassVar[BusinessSource]
    BUSINESS_SOURCE_LANDING_PAGE: _ClassVar[BusinessSource]
    BUSINESS_SOURCE_OFFICIAL_ACCOUNT: _ClassVar[BusinessSource]
    BUSINESS_SOURCE_PRIVATE_MESSAGE: _ClassVar[BusinessSource]
    BUSINESS_SOURCE_LEAD_FORM: _ClassVar[BusinessSource]
    BUSINESS_SOURCE_INSTANT_FORM: _ClassVar[BusinessSource]
    BUSINESS_SOURCE_CUSTOMER_SERVICE_CHAT: _ClassVar[BusinessSource]
    BUSINESS_SOURCE_OTHER: _ClassVar[BusinessSource]

class DedupDimension(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DEDUP_DIMENSION_UNSPECIFIED: _ClassVar[DedupDimension]
    DEDUP_DIMENSION_PHONE: _ClassVar[DedupDimension]
    DEDUP_DIMENSION_WECHAT: _ClassVar[DedupDimension]
    DEDUP_DIMENSION_EMAIL: _ClassVar[DedupDimension]
    DEDUP_DIMENSION_IP: _ClassVar[DedupDimension]
    DEDUP_DIMENSION_DEVICE: _ClassVar[DedupDimension]

class LeadVerdict(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LEAD_VERDICT_UNSPECIFIED: _ClassVar[LeadVerdict]
    LEAD_VERDICT_NEW: _ClassVar[LeadVerdict]
    LEAD_VERDICT_DUPLICATE: _ClassVar[LeadVerdict]
    LEAD_VERDICT_RETURNING: _ClassVar[LeadVerdict]
    LEAD_VERDICT_REJECTED: _ClassVar[LeadVerdict]

class LeadStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LEAD_STATUS_UNSPECIFIED: _ClassVar[LeadStatus]
    LEAD_STATUS_NEW: _ClassVar[LeadStatus]
    LEAD_STATUS_ASSIGNED: _ClassVar[LeadStatus]
    LEAD_STATUS_CONTACTED: _ClassVar[LeadStatus]
    LEAD_STATUS_CONVERTED: _ClassVar[LeadStatus]
    LEAD_STATUS_INVALID: _ClassVar[LeadStatus]
CHANNEL_UNSPECIFIED: Channel
CHANNEL_FORM: Channel
CHANNEL_INBOUND_CALL: Channel
CHANNEL_WECHAT: Channel
CHANNEL_PRIVATE_MESSAGE: Channel
CHANNEL_THIRD_PARTY: Channel
CHANNEL_IMPORT: Channel
TRAFFIC_SOURCE_UNSPECIFIED: TrafficSource
TRAFFIC_SOURCE_AD_DIRECT: TrafficSource
TRAFFIC_SOURCE_AD_INDIRECT: TrafficSource
TRAFFIC_SOURCE_ORGANIC: TrafficSource
BUSINESS_SOURCE_UNSPECIFIED: BusinessSource
BUSINESS_SOURCE_LANDING_PAGE: BusinessSource
BUSINESS_SOURCE_OFFICIAL_ACCOUNT: BusinessSource
BUSINESS_SOURCE_PRIVATE_MESSAGE: BusinessSource
BUSINESS_SOURCE_LEAD_FORM: BusinessSource
BUSINESS_SOURCE_INSTANT_FORM: BusinessSource
BUSINESS_SOURCE_CUSTOMER_SERVICE_CHAT: BusinessSource
BUSINESS_SOURCE_OTHER: BusinessSource
DEDUP_DIMENSION_UNSPECIFIED: DedupDimension
DEDUP_DIMENSION_PHONE: DedupDimension
DEDUP_DIMENSION_WECHAT: DedupDimension
DEDUP_DIMENSION_EMAIL: DedupDimension
DEDUP_DIMENSION_IP: DedupDimension
DEDUP_DIMENSION_DEVICE: DedupDimension
LEAD_VERDICT_UNSPECIFIED: LeadVerdict
LEAD_VERDICT_NEW: LeadVerdict
LEAD_VERDICT_DUPLICATE: LeadVerdict
LEAD_VERDICT_RETURNING: LeadVerdict
LEAD_VERDICT_REJECTED: LeadVerdict
LEAD_STATUS_UNSPECIFIED: LeadStatus
LEAD_STATUS_NEW: LeadStatus
LEAD_STATUS_ASSIGNED: LeadStatus
LEAD_STATUS_CONTACTED: LeadStatus
LEAD_STATUS_CONVERTED: LeadStatus
LEAD_STATUS_INVALID: LeadStatus
