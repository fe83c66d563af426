#!/usr/bin/python3
"""A generic gRPC client that knows nothing of sandboxd: it discovers the services through
server reflection (grpc.reflection.v1alpha), builds message classes from the file descriptors
the server sends, and calls one method with an empty request. It uses no .proto file and no
generated code, the way grpcurl or Postman would.

    /usr/bin/python3 tests/interop/reflection_client.py --socket PATH --call sandbox.v1.Sandboxes/List

Prints one JSON object: the services listed, and the response of the call as JSON.
"""

import argparse
import json
import sys

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory

REFLECTION = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"


def varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field(number, payload):
    """A length-delimited field: the reflection request is built by hand, since the reflection
    protos are exactly what a generic client does not have."""
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def read_fields(data):
    """(field number, bytes) for every length-delimited field of a message."""
    fields, i = [], 0
    while i < len(data):
        key, i = read_varint(data, i)
        number, wire_type = key >> 3, key & 7
        if wire_type == 2:
            length, i = read_varint(data, i)
            fields.append((number, data[i:i + length]))
            i += length
        elif wire_type == 0:
            _, i = read_varint(data, i)
        else:
            raise ValueError("unexpected wire type %d" % wire_type)
    return fields


def read_varint(data, i):
    shift = result = 0
    while True:
        byte = data[i]
        i += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, i
        shift += 7


def reflect(channel, requests):
    call = channel.stream_stream(REFLECTION, request_serializer=lambda b: b, response_deserializer=lambda b: b)
    return list(call(iter(requests), timeout=10))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--socket", required=True)
    parser.add_argument("--call", required=True, help="Service/Method, called with an empty request")
    options = parser.parse_args()
    service, method = options.call.rsplit("/", 1)

    with grpc.insecure_channel("unix:" + options.socket) as channel:
        # list_services = 7; the answer's list_services_response = 6 holds service = 1 { name = 1 }.
        (listing,) = reflect(channel, [field(7, b"*")])
        services = sorted(name.decode() for n, listed in read_fields(listing) if n == 6
                          for m, svc in read_fields(listed) if m == 1
                          for k, name in read_fields(svc) if k == 1)
        # file_containing_symbol = 4; file_descriptor_response = 4 holds file_descriptor_proto = 1.
        (files,) = reflect(channel, [field(4, service.encode())])
        pool = descriptor_pool.DescriptorPool()
        protos = [descriptor_pb2.FileDescriptorProto.FromString(raw)
                  for n, response in read_fields(files) if n == 4
                  for m, raw in read_fields(response) if m == 1]
        added = set()
        while len(added) < len(protos):  # dependencies before dependants
            for proto in protos:
                if proto.name not in added and all(d in added or d not in {p.name for p in protos}
                                                   for d in proto.dependency):
                    pool.Add(proto)
                    added.add(proto.name)
        method_descriptor = pool.FindServiceByName(service).FindMethodByName(method)
        # Debian's protobuf 4.21 has MessageFactory.GetPrototype; later ones GetMessageClass.
        make = getattr(message_factory, "GetMessageClass", None) or message_factory.MessageFactory(pool).GetPrototype
        request_class = make(method_descriptor.input_type)
        response_class = make(method_descriptor.output_type)
        call = channel.unary_unary("/%s/%s" % (service, method), request_serializer=request_class.SerializeToString,
                                   response_deserializer=response_class.FromString)
        try:
            response = call(request_class(), timeout=10)
            result = {"services": services, "response": json.loads(json_format.MessageToJson(response))}
        except grpc.RpcError as error:
            result = {"services": services, "code": error.code().name, "details": error.details()}
    json.dump(result, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
