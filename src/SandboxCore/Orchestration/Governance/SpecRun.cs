using Sandboxd.Api.V1;
using Sandboxd.Core.Network;
using Sandboxd.Core.State;
using Sandboxd.Governance.Risk;
using Sandboxd.Isolation.Profiles;
using RequestSpec = Sandboxd.Governance.Specs.RequestSpec;

namespace Sandboxd.Core.Orchestration.Governance;

/// <summary>Turns a merged request into what the isolation layers launch: its seccomp profile,
/// user namespace, memory and CPU-time limits, network and image. What this daemon cannot yet
/// enforce (host mounts, no filter at all) is refused by field rather than run weaker.</summary>
public static class SpecRun
{
    public static CreatePlan Plan(RequestSpec spec, RiskAssessment assessment, CreateRequest request)
    {
        if (spec.Seccomp == RequestSpec.SeccompOff)
            throw new InvalidFieldException("overrides.seccomp", "'off': this daemon runs no sandbox without a syscall filter (a dry run assesses it)");
        var profile = BuiltinSandboxProfiles.Find(spec.Seccomp)
            ?? throw new InvalidFieldException("overrides.seccomp", $"no seccomp profile '{spec.Seccomp}' (known: {string.Join(", ", BuiltinSandboxProfiles.All.Select(p => p.Name))})");
        if (spec.Mounts.Count > 0)
            throw new InvalidFieldException("overrides.mounts", "host mounts are assessed, but this daemon does not bind them into sandboxes yet");
        var overrides = new ProfileOverrides(spec.UserNamespace,
            spec.Resources.CpuTime is { } cpu ? (ulong)Math.Max(1, cpu.TotalSeconds) : 0);
        profile = overrides.Apply(profile);
        var resources = request.Resources?.Clone() ?? new Resources();
        resources.MemoryBytes = spec.Resources.MemoryBytes;
        var limits = LimitsResolver.Resolve(profile, resources);
        var network = spec.Network.Egress ? Egress(request.Network, spec.Network.AllowedDomains) : new NetworkConfig();
        return new CreatePlan(RequestChecks.Image(spec.Image ?? ""), profile, limits, SandboxNetwork.FromProto(network), assessment.Level, spec, assessment,
            spec.Ttl) { Overrides = overrides };
    }

    /// <summary>The request's own egress settings (ports, CIDRs, limits) with the spec's allowlist.</summary>
    private static NetworkConfig Egress(NetworkConfig? requested, IReadOnlyList<string> domains)
    {
        var network = requested?.Mode == NetworkMode.Egress ? requested.Clone() : new NetworkConfig { Mode = NetworkMode.Egress };
        network.Policy ??= new EgressPolicy();
        network.Policy.AllowDomains.Clear();
        network.Policy.AllowDomains.AddRange(domains);
        return network;
    }
}
