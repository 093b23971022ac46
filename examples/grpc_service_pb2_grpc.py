"""Client stub and server base class of ``inference.GRPCInferenceService``, in the shape grpcio-tools
generates them: ``GRPCInferenceServiceStub(channel)`` on the client, ``GRPCInferenceServiceServicer`` and
``add_GRPCInferenceServiceServicer_to_server`` on the server."""
import grpc

import grpc_service_pb2 as pb2

_SERVICE = "inference.GRPCInferenceService"
# (method, request type, response type), all unary.
_METHODS = (
    ("ServerLive", pb2.ServerLiveRequest, pb2.ServerLiveResponse),
    ("ServerReady", pb2.ServerReadyRequest, pb2.ServerReadyResponse),
    ("ModelInfer", pb2.ModelInferRequest, pb2.ModelInferResponse),
)


class GRPCInferenceServiceStub:
    """Calls the service over a channel: ``stub.ModelInfer(request, metadata=[...])``."""

    def __init__(self, channel):
        for name, request, response in _METHODS:
            setattr(self, name, channel.unary_unary(
                f"/{_SERVICE}/{name}",
                request_serializer=request.SerializeToString,
                response_deserializer=response.FromString))


class GRPCInferenceServiceServicer:
    """Override the methods a worker implements; the others answer UNIMPLEMENTED."""

    def ServerLive(self, request, context):
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "ServerLive is not implemented")

    def ServerReady(self, request, context):
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "ServerReady is not implemented")

    def ModelInfer(self, request, context):
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "ModelInfer is not implemented")


def add_GRPCInferenceServiceServicer_to_server(servicer, server):
    handlers = {
        name: grpc.unary_unary_rpc_method_handler(
            getattr(servicer, name),
            request_deserializer=request.FromString,
            response_serializer=response.SerializeToString)
        for name, request, response in _METHODS
    }
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(_SERVICE, handlers),))
