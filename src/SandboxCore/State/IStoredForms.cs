using Sandboxd.Core.Network;
using Sandboxd.Core.Orchestration;
using EgressPolicy = Sandboxd.Isolation.Network.EgressPolicy;

namespace Sandboxd.Core.State;

/// <summary>The byte forms state dirs already hold for a sandbox's network (the store's
/// <c>network</c> column) and for a create waiting for votes (the proposal's stored request):
/// the API's protobuf messages, so the API layer, which owns those types, encodes and decodes
/// them, and a daemon started over an old state dir reads what the previous one wrote.</summary>
public interface IStoredForms
{
    byte[] EncodeNetwork(SandboxNetwork network, EgressPolicy inForce);

    /// <summary>Checked again as a request's network is (what was stored passed those checks).</summary>
    SandboxNetwork DecodeNetwork(byte[] stored);

    byte[] EncodeCreate(CreateSandbox request);

    CreateSandbox DecodeCreate(byte[] stored);
}
