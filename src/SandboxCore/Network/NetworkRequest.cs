namespace Sandboxd.Core.Network;

/// <summary>The network a create asks for, as asked: <see cref="SandboxNetwork.From"/> checks it.</summary>
/// <param name="Policy">Null when the request set none (a policy on a non-egress network is refused).</param>
public sealed record NetworkRequest(NetworkMode Mode, EgressPolicyRequest? Policy, bool Transparent);
