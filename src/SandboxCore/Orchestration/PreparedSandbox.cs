using Sandboxd.Isolation.Launch;
using Sandboxd.Isolation.Network;

namespace Sandboxd.Core.Orchestration;

/// <summary>A sandbox made ahead, waiting for a create to take it.</summary>
public sealed record PreparedSandbox(string Id, LaunchedSandbox Sandbox, IEgressAttachment? Egress = null);
