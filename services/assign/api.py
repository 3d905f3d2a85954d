"""The assign gRPC servicer. Its methods answer UNIMPLEMENTED until the assign issue builds the domain."""

from leadflow.assign.v1 import assign_service_pb2_grpc


class AssignApi(assign_service_pb2_grpc.AssignServiceServicer):
    pass
