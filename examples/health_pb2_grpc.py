"""Server base class of ``grpc.health.v1.Health`` (Check only: the gateway never calls Watch), in the shape
grpcio-tools generates it."""
import grpc

import health_pb2 as pb2


class HealthServicer:
    def Check(self, request, context):
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "Check is not implemented")


def add_HealthServicer_to_server(servicer, server):
    handler = grpc.unary_unary_rpc_method_handler(
        servicer.Check,
        request_deserializer=pb2.HealthCheckRequest.FromString,
        response_serializer=pb2.HealthCheckResponse.SerializeToString)
    server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler("grpc.health.v1.Health", {"Check": handler}),))
