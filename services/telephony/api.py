"""The telephony gRPC servicer. Its methods answer UNIMPLEMENTED until the telephony issue builds the domain."""

from leadflow.telephony.v1 import telephony_service_pb2_grpc


class TelephonyApi(telephony_service_pb2_grpc.TelephonyServiceServicer):
    pass
