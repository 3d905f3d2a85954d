"""The refund gRPC servicer. Its methods answer UNIMPLEMENTED until the refund issue builds the domain."""

from leadflow.refund.v1 import refund_service_pb2_grpc


class RefundApi(refund_service_pb2_grpc.RefundServiceServicer):
    pass
