"""One unary call with one message of N bytes each way, from Python grpcio (gRPC's C core): the large-message
case's third client. Prints the line the other clients print: status=OK|FAILED bytes=N echoed_intact=... seconds=S.

usage: python3 big_call.py HOST:PORT BYTES ["name: value" metadata ...]
"""
import sys
import time

import grpc

target, size = sys.argv[1], int(sys.argv[2])
metadata = [tuple(header.split(': ', 1)) for header in sys.argv[3:]]
# A repeating pattern, so that a shifted or truncated echo cannot compare equal; made before the clock starts.
payload = (bytes(range(256)) * (size // 256 + 1))[:size]
channel = grpc.insecure_channel(target, options=[('grpc.max_send_message_length', -1),
                                                 ('grpc.max_receive_message_length', -1)])
call = channel.unary_unary('/inference.GRPCInferenceService/ModelInfer')
start = time.monotonic()
detail = ''
try:
    intact = call(payload, metadata=metadata, timeout=300) == payload
except grpc.RpcError as e:
    intact, detail = False, f' detail={e.code()} {e.details()}'
print(f"status={'OK' if intact and not detail else 'FAILED'} bytes={size} echoed_intact={intact}"
      f" seconds={time.monotonic() - start:.3f}{detail}")
