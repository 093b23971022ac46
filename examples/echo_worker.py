#!/usr/bin/env python3
"""An example function worker: KServe's ``inference.GRPCInferenceService`` that echoes each ``ModelInfer``
request back, and the standard ``grpc.health.v1.Health`` service that the gateway checks.

Run:  python3 examples/echo_worker.py            (listens on 127.0.0.1:9001)
      python3 examples/echo_worker.py --port 9002 --host 0.0.0.0
Needs: python3-grpcio (Debian) or ``pip install grpcio protobuf``. Stops on Ctrl-C or SIGTERM.
"""
import argparse
import signal
import sys
import threading
from concurrent import futures

import grpc

import grpc_service_pb2
import grpc_service_pb2_grpc
import health_pb2
import health_pb2_grpc


class EchoInference(grpc_service_pb2_grpc.GRPCInferenceServiceServicer):
    """Every input tensor comes back as an output tensor of the same name, type, shape and bytes."""

    def ServerLive(self, request, context):
        return grpc_service_pb2.ServerLiveResponse(live=True)

    def ServerReady(self, request, context):
        return grpc_service_pb2.ServerReadyResponse(ready=True)

    def ModelInfer(self, request, context):
        # The gateway adds these: the session's request id and the function version that was chosen.
        headers = dict(context.invocation_metadata())
        print(f"ModelInfer model={request.model_name!r} id={request.id!r} "
              f"nvcf-reqid={headers.get('nvcf-reqid', '-')} "
              f"function-version-id={headers.get('function-version-id', '-')}", flush=True)
        return grpc_service_pb2.ModelInferResponse(
            model_name=request.model_name,
            model_version=request.model_version,
            id=request.id,
            outputs=[grpc_service_pb2.ModelInferResponse.InferOutputTensor(
                name=t.name, datatype=t.datatype, shape=t.shape) for t in request.inputs],
            raw_output_contents=request.raw_input_contents)


class AlwaysServing(health_pb2_grpc.HealthServicer):
    """SERVING for the whole server ("") and for the inference service, SERVICE_UNKNOWN for anything else."""

    SERVICES = ("", "inference.GRPCInferenceService")

    def Check(self, request, context):
        status = (health_pb2.HealthCheckResponse.SERVING if request.service in self.SERVICES
                  else health_pb2.HealthCheckResponse.SERVICE_UNKNOWN)
        return health_pb2.HealthCheckResponse(status=status)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=9001, help="port to listen on (default 9001)")
    args = parser.parse_args()

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    grpc_service_pb2_grpc.add_GRPCInferenceServiceServicer_to_server(EchoInference(), server)
    health_pb2_grpc.add_HealthServicer_to_server(AlwaysServing(), server)
    address = f"{args.host}:{args.port}"
    if server.add_insecure_port(address) == 0:
        sys.exit(f"cannot listen on {address}")
    server.start()
    print(f"echo worker listening on {address}", flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    server.stop(grace=2).wait()


if __name__ == "__main__":
    main()
