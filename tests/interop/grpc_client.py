#!/usr/bin/python3
"""An independent gRPC client for sandboxd's API tests: Debian's python3-grpcio.

Run it with /usr/bin/python3 (python3-grpcio and python3-protobuf come from apt). Message
classes are generated at run time with protoc from proto/, so the script needs no build step.

    /usr/bin/python3 tests/interop/grpc_client.py --socket /run/sandboxd.sock \
        --repo-root . --scenario unary_error [--arg id=sbx-1 ...]

Each scenario prints one JSON object on stdout. RPC errors become
{"code": "NOT_FOUND", "details": "..."} so the caller can assert on them. To add a scenario,
write a function (stub, pb2, args) -> dict and list it in SCENARIOS.
"""

import argparse
import importlib
import json
import os
import subprocess
import sys
import tempfile

import grpc

SERVICE = "/sandbox.v1.Sandboxes/"


def load_messages(repo_root, workdir):
    """Generates sandboxes_pb2 and governance_pb2 (which it imports) with protoc, and imports
    them; the governance messages are reachable as pb2.governance."""
    proto_dir = os.path.join(repo_root, "proto")
    subprocess.run(
        ["protoc", "--python_out=" + workdir, "-I", proto_dir,
         os.path.join(proto_dir, "sandbox", "v1", "sandboxes.proto"),
         os.path.join(proto_dir, "sandbox", "v1", "governance.proto")],
        check=True)
    # protoc writes sandbox/v1/ without __init__.py; namespace packages import fine from there.
    sys.path.insert(0, workdir)
    pb2 = importlib.import_module("sandbox.v1.sandboxes_pb2")
    pb2.governance = importlib.import_module("sandbox.v1.governance_pb2")
    return pb2


class Stub:
    """Generic callables for the Sandboxes methods, built from the pb2 classes alone
    (no grpc_tools plugin needed)."""

    def __init__(self, channel, pb2):
        def unary(name, req, resp):
            return channel.unary_unary(SERVICE + name, request_serializer=req.SerializeToString,
                                       response_deserializer=resp.FromString)

        def stream(name, req, resp):
            return channel.unary_stream(SERVICE + name, request_serializer=req.SerializeToString,
                                        response_deserializer=resp.FromString)

        self.Create = unary("Create", pb2.CreateRequest, pb2.Sandbox)
        self.Get = unary("Get", pb2.GetRequest, pb2.Sandbox)
        self.List = unary("List", pb2.ListRequest, pb2.ListResponse)
        self.Execute = stream("Execute", pb2.ExecuteRequest, pb2.ExecuteResponse)
        self.Destroy = unary("Destroy", pb2.DestroyRequest, pb2.DestroyResponse)
        self.channel = channel


def sandbox_json(sandbox):
    return {"id": sandbox.id, "state": sandbox.state, "image": sandbox.image,
            "hostname": sandbox.hostname, "init_pid": sandbox.init_pid,
            "labels": dict(sandbox.labels)}


def execute_json(response):
    kind = response.WhichOneof("payload")
    if kind == "exit":
        e = response.exit
        return {"exit": {"execution_id": e.execution_id, "exit_code": e.exit_code,
                         "signal": e.signal, "timed_out": e.timed_out}}
    if kind is None:
        return {}
    return {kind: getattr(response, kind).decode("utf-8", "replace")}


def timeout_of(args):
    value = args.get("timeout")
    return float(value) if value is not None else None


def scenario_unary_error(stub, pb2, args):
    # The error itself is the result: the RpcError handler in main() reports it.
    stub.Get(pb2.GetRequest(id=args.get("id", "missing")), timeout=timeout_of(args))
    return {"code": "OK"}


def scenario_oversized(stub, pb2, args):
    size = int(args.get("bytes", str(5 * 1024 * 1024)))
    stub.Get(pb2.GetRequest(id="x" * size), timeout=timeout_of(args))
    return {"code": "OK"}


def scenario_unknown_method(stub, pb2, args):
    call = stub.channel.unary_unary("/sandbox.v1.Sandboxes/NoSuchMethod",
                                    request_serializer=pb2.GetRequest.SerializeToString,
                                    response_deserializer=pb2.Sandbox.FromString)
    call(pb2.GetRequest(id="x"), timeout=timeout_of(args))
    return {"code": "OK"}


def scenario_sandbox_lifecycle(stub, pb2, args):
    """The real Sandboxes service end to end: create, stream a command's output, get, destroy."""
    sandbox = stub.Create(pb2.CreateRequest(hostname="py-interop"), timeout=30)
    request = pb2.ExecuteRequest(sandbox_id=sandbox.id, argv=["/bin/sh", "-c", "echo out; echo err >&2; exit 7"],
                                 stdin=b"ignored")
    messages = [execute_json(r) for r in stub.Execute(request, timeout=30)]
    got = stub.Get(pb2.GetRequest(id=sandbox.id), timeout=10)
    destroyed = stub.Destroy(pb2.DestroyRequest(id=sandbox.id), timeout=30)
    return {"created": sandbox_json(sandbox), "messages": messages, "got": sandbox_json(got),
            "destroyed": destroyed.existed}


def scenario_exec_deadline(stub, pb2, args):
    request = pb2.ExecuteRequest(sandbox_id=args["id"], argv=["/bin/sleep", "1000"])
    for _ in stub.Execute(request, timeout=float(args.get("timeout", "0.5"))):
        pass
    return {"code": "OK"}


def scenario_list_proposals(stub, pb2, args):
    """Governance.ListProposals: every proposal the caller sees, with its votes."""
    gov = pb2.governance
    call = stub.channel.unary_unary("/sandbox.v1.Governance/ListProposals",
                                    request_serializer=gov.ListProposalsRequest.SerializeToString,
                                    response_deserializer=gov.ListProposalsResponse.FromString)
    response = call(gov.ListProposalsRequest(), timeout=timeout_of(args))
    return {"proposals": [{"id": p.id, "status": gov.ProposalStatus.Name(p.status), "level": p.level,
                           "tenant": p.tenant, "sandbox_id": p.sandbox_id,
                           "votes": [{"principal": v.principal, "approve": v.approve, "reason": v.reason}
                                     for v in p.votes]}
                          for p in response.proposals]}


SCENARIOS = {
    "list_proposals": scenario_list_proposals,
    "sandbox_lifecycle": scenario_sandbox_lifecycle,
    "exec_deadline": scenario_exec_deadline,
    "unary_error": scenario_unary_error,
    "oversized": scenario_oversized,
    "unknown_method": scenario_unknown_method,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--socket", required=True, help="path of sandboxd's Unix socket")
    parser.add_argument("--repo-root", required=True, help="the directory holding proto/")
    parser.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
    parser.add_argument("--arg", action="append", default=[], metavar="KEY=VALUE",
                        help="a scenario parameter; may repeat")
    options = parser.parse_args()
    args = dict(a.split("=", 1) for a in options.arg)

    with tempfile.TemporaryDirectory(prefix="sbx-pb2-") as workdir:
        pb2 = load_messages(options.repo_root, workdir)
        with grpc.insecure_channel("unix:" + options.socket) as channel:
            try:
                result = SCENARIOS[options.scenario](Stub(channel, pb2), pb2, args)
            except grpc.RpcError as error:
                result = {"code": error.code().name, "details": error.details()}
    json.dump(result, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
