#!/usr/bin/env python3
"""An example client: one ``ModelInfer`` call through the gateway, in the pattern of NVIDIA Cloud Functions'
gRPC invocation guide (a channel, the generated stub, the request, three metadata keys).

Run:  FUNCTION_ID=... API_KEY=... python3 examples/client.py
Environment: FUNCTION_ID and API_KEY (required); FUNCTION_VERSION_ID (optional: without it any ACTIVE
version serves); GRPC_GATEWAY_ADDR (default localhost) and GRPC_GATEWAY_PORT (default 10081).
Prints the answer and the session's nvcf-reqid; exits 1 with the gRPC status if the call fails.
"""
import os
import sys

import grpc

import grpc_service_pb2
import grpc_service_pb2_grpc


def call_grpc(model_infer_request):
    address = f"{os.environ.get('GRPC_GATEWAY_ADDR', 'localhost')}:{os.environ.get('GRPC_GATEWAY_PORT', '10081')}"
    # Plaintext, as the gateway listens by default. With TLS on the listener:
    # grpc.secure_channel(address, grpc.ssl_channel_credentials()).
    # grpcio shares one TCP connection among channels created with equal arguments, and the gateway pins
    # all calls of one connection to one worker (one session). A channel that must be a session of its own
    # sets options=[("grpc.use_local_subchannel_pool", 1)].
    with grpc.insecure_channel(address) as channel:
        grpc_client = grpc_service_pb2_grpc.GRPCInferenceServiceStub(channel)

        metadata = [
            ("function-id", os.environ["FUNCTION_ID"]),
            ("authorization", f"Bearer {os.environ['API_KEY']}"),
        ]
        if os.environ.get("FUNCTION_VERSION_ID"):
            metadata.append(("function-version-id", os.environ["FUNCTION_VERSION_ID"]))

        response, call = grpc_client.ModelInfer.with_call(model_infer_request, metadata=metadata, timeout=30)
        request_id = dict(call.initial_metadata()).get("nvcf-reqid")
        return response, request_id


def main():
    text = b"hello, function"
    request = grpc_service_pb2.ModelInferRequest(
        model_name="echo",
        id="request-1",
        inputs=[grpc_service_pb2.ModelInferRequest.InferInputTensor(
            name="text", datatype="BYTES", shape=[1])],
        raw_input_contents=[text])
    try:
        response, request_id = call_grpc(request)
    except grpc.RpcError as e:
        sys.exit(f"call failed: {e.code().name}: {e.details()}")
    print(f"nvcf-reqid: {request_id}")
    print(f"model: {response.model_name}, id: {response.id}")
    for tensor, contents in zip(response.outputs, response.raw_output_contents):
        print(f"output {tensor.name} ({tensor.datatype}, shape {list(tensor.shape)}): {contents.decode(errors='replace')}")
    if list(response.raw_output_contents) != [text]:
        sys.exit("the answer is not the echo of the request")


if __name__ == "__main__":
    main()
