"""Messages of the standard gRPC health service (``grpc.health.v1``), which the gateway asks each worker.

Built from the text form of ``grpc/health/v1/health.proto`` at import time, as ``grpc_service_pb2`` is, so that
the examples need no ``grpcio-health-checking`` package. With it installed, ``grpc_health.v1.health`` does the
same job.
"""
from google.protobuf import descriptor_pb2, descriptor_pool, text_format
from google.protobuf.internal import builder as _builder

_FILE = text_format.Parse("""
name: "grpc/health/v1/health.proto"
package: "grpc.health.v1"
syntax: "proto3"
message_type {
  name: "HealthCheckRequest"
  field { name: "service" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING json_name: "service" }
}
message_type {
  name: "HealthCheckResponse"
  field { name: "status" number: 1 label: LABEL_OPTIONAL type: TYPE_ENUM
          type_name: ".grpc.health.v1.HealthCheckResponse.ServingStatus" json_name: "status" }
  enum_type {
    name: "ServingStatus"
    value { name: "UNKNOWN" number: 0 }
    value { name: "SERVING" number: 1 }
    value { name: "NOT_SERVING" number: 2 }
    value { name: "SERVICE_UNKNOWN" number: 3 }
  }
}
service {
  name: "Health"
  method { name: "Check" input_type: ".grpc.health.v1.HealthCheckRequest"
           output_type: ".grpc.health.v1.HealthCheckResponse" }
}
""", descriptor_pb2.FileDescriptorProto())

DESCRIPTOR = descriptor_pool.Default().AddSerializedFile(_FILE.SerializeToString())
_builder.BuildMessageAndEnumDescriptors(DESCRIPTOR, globals())
_builder.BuildTopDescriptorsAndMessages(DESCRIPTOR, __name__, globals())
