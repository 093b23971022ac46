"""Messages of KServe's v2 inference protocol (``inference.GRPCInferenceService``), the subset the examples use.

Field names and numbers are those of KServe's ``grpc_service.proto``, so these messages are wire-compatible
with any KServe or Triton server and client. The descriptor is built here at import time from its text form,
so nothing needs generating: this module needs only ``python3-protobuf`` (3.20 or newer), as Debian ships it.
With ``grpcio-tools`` you may instead generate the module from KServe's full ``grpc_service.proto``; the
examples then work unchanged.
"""
from google.protobuf import descriptor_pb2, descriptor_pool, text_format
from google.protobuf.internal import builder as _builder

_FILE = text_format.Parse("""
name: "grpc_service.proto"
package: "inference"
syntax: "proto3"
message_type {
  name: "ServerLiveRequest"
}
message_type {
  name: "ServerLiveResponse"
  field { name: "live" number: 1 label: LABEL_OPTIONAL type: TYPE_BOOL json_name: "live" }
}
message_type {
  name: "ServerReadyRequest"
}
message_type {
  name: "ServerReadyResponse"
  field { name: "ready" number: 1 label: LABEL_OPTIONAL type: TYPE_BOOL json_name: "ready" }
}
message_type {
  name: "ModelInferRequest"
  field { name: "model_name" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING json_name: "modelName" }
  field { name: "model_version" number: 2 label: LABEL_OPTIONAL type: TYPE_STRING json_name: "modelVersion" }
  field { name: "id" number: 3 label: LABEL_OPTIONAL type: TYPE_STRING json_name: "id" }
  field { name: "inputs" number: 5 label: LABEL_REPEATED type: TYPE_MESSAGE
          type_name: ".inference.ModelInferRequest.InferInputTensor" json_name: "inputs" }
  field { name: "outputs" number: 6 label: LABEL_REPEATED type: TYPE_MESSAGE
          type_name: ".inference.ModelInferRequest.InferRequestedOutputTensor" json_name: "outputs" }
  field { name: "raw_input_contents" number: 7 label: LABEL_REPEATED type: TYPE_BYTES json_name: "rawInputContents" }
  nested_type {
    name: "InferInputTensor"
    field { name: "name" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING json_name: "name" }
    field { name: "datatype" number: 2 label: LABEL_OPTIONAL type: TYPE_STRING json_name: "datatype" }
    field { name: "shape" number: 3 label: LABEL_REPEATED type: TYPE_INT64 json_name: "shape" }
  }
  nested_type {
    name: "InferRequestedOutputTensor"
    field { name: "name" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING json_name: "name" }
  }
}
message_type {
  name: "ModelInferResponse"
  field { name: "model_name" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING json_name: "modelName" }
  field { name: "model_version" number: 2 label: LABEL_OPTIONAL type: TYPE_STRING json_name: "modelVersion" }
  field { name: "id" number: 3 label: LABEL_OPTIONAL type: TYPE_STRING json_name: "id" }
  field { name: "outputs" number: 5 label: LABEL_REPEATED type: TYPE_MESSAGE
          type_name: ".inference.ModelInferResponse.InferOutputTensor" json_name: "outputs" }
  field { name: "raw_output_contents" number: 6 label: LABEL_REPEATED type: TYPE_BYTES json_name: "rawOutputContents" }
  nested_type {
    name: "InferOutputTensor"
    field { name: "name" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING json_name: "name" }
    field { name: "datatype" number: 2 label: LABEL_OPTIONAL type: TYPE_STRING json_name: "datatype" }
    field { name: "shape" number: 3 label: LABEL_REPEATED type: TYPE_INT64 json_name: "shape" }
  }
}
service {
  name: "GRPCInferenceService"
  method { name: "ServerLive" input_type: ".inference.ServerLiveRequest" output_type: ".inference.ServerLiveResponse" }
  method { name: "ServerReady" input_type: ".inference.ServerReadyRequest" output_type: ".inference.ServerReadyResponse" }
  method { name: "ModelInfer" input_type: ".inference.ModelInferRequest" output_type: ".inference.ModelInferResponse" }
}
""", descriptor_pb2.FileDescriptorProto())

DESCRIPTOR = descriptor_pool.Default().AddSerializedFile(_FILE.SerializeToString())
_builder.BuildMessageAndEnumDescriptors(DESCRIPTOR, globals())
_builder.BuildTopDescriptorsAndMessages(DESCRIPTOR, __name__, globals())
