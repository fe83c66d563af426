using Sandboxd.Core.Network;
using Sandboxd.Core.Orchestration.Governance;

namespace Sandboxd.Core.Orchestration;

/// <summary>A create as asked, before its checks: the orchestrator checks each field, naming it
/// as the API does ("resources.memory_bytes"), and plans it through governance.</summary>
public sealed record CreateSandbox
{
    /// <summary>An imported image's name or a rootfs path; empty = the default image.</summary>
    public string Image { get; init; } = "";

    /// <summary>Empty = the sandbox id.</summary>
    public string Hostname { get; init; } = "";

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>A governance profile or, without approval, a seccomp profile; empty = the caller's role pattern.</summary>
    public string Profile { get; init; } = "";

    /// <summary>Overrides of the profile's limits; null = none.</summary>
    public ResourceRequest? Resources { get; init; }

    /// <summary>Null = no network (loopback only).</summary>
    public NetworkRequest? Network { get; init; }

    /// <summary>0 = the profile's TTL.</summary>
    public ulong TtlMs { get; init; }

    /// <summary>0 = the daemon's idle timeout.</summary>
    public ulong IdleTimeoutMs { get; init; }

    /// <summary>Changes to the profile's fields; null = none.</summary>
    public OverridesRequest? Overrides { get; init; }
}
