using Google.Protobuf;
using Sandboxd.Core.Network;
using Sandboxd.Core.Orchestration;
using Sandboxd.Core.State;
using IsolationPolicy = Sandboxd.Isolation.Network.EgressPolicy;
using V1 = Sandboxd.Api.V1;

namespace Sandboxd.Core.Api.Mapping;

/// <summary>The stored forms as every daemon so far wrote them: a NetworkConfig's and a
/// CreateRequest's protobuf bytes.</summary>
public sealed class ProtoStoredForms : IStoredForms
{
    public byte[] EncodeNetwork(SandboxNetwork network, IsolationPolicy inForce) => NetworkProtoMapping.ToProto(network, inForce).ToByteArray();

    public SandboxNetwork DecodeNetwork(byte[] stored) => SandboxNetwork.From(NetworkProtoMapping.FromProto(V1.NetworkConfig.Parser.ParseFrom(stored)));

    public byte[] EncodeCreate(CreateSandbox request) => request.ToProto().ToByteArray();

    public CreateSandbox DecodeCreate(byte[] stored) => V1.CreateRequest.Parser.ParseFrom(stored).FromProto();
}
