using Sandboxd.Governance.Risk;
using Sandboxd.Governance.Specs;

namespace Sandboxd.Governance.Profiles;

/// <summary>The design's risk table, once: the profiles "low", "medium", "high" and "critical",
/// whose memory and CPU time are also the thresholds of the resource rules.</summary>
public static class BuiltinProfiles
{
    private const long MiB = 1 << 20;
    private static readonly TimeSpan DefaultTtl = TimeSpan.FromHours(1);

    public static GovernanceProfile Low { get; } = Make("low", RiskLevel.Low, IsolationKind.Process, FilesystemKind.ReadOnlyRoot,
        NetworkPolicySpec.None, "strict", 256 * MiB, TimeSpan.FromSeconds(30));

    public static GovernanceProfile Medium { get; } = Make("medium", RiskLevel.Medium, IsolationKind.Container, FilesystemKind.ReadWriteUpper,
        new NetworkPolicySpec(true, [], false), "default", 512 * MiB, TimeSpan.FromMinutes(2));

    public static GovernanceProfile High { get; } = Make("high", RiskLevel.High, IsolationKind.Strongest, FilesystemKind.IsolatedUpper,
        new NetworkPolicySpec(true, [], true), "strict", 1024 * MiB, TimeSpan.FromMinutes(5));

    public static GovernanceProfile Critical { get; } = Make("critical", RiskLevel.Critical, IsolationKind.Strongest, FilesystemKind.NothingWritable,
        NetworkPolicySpec.None, "strict", 2048 * MiB, TimeSpan.FromMinutes(10));

    /// <summary>In rising order of risk: the resource rules depend on it.</summary>
    public static IReadOnlyList<GovernanceProfile> All { get; } = [Low, Medium, High, Critical];

    /// <summary>The level of the lowest row that <paramref name="covers"/> the request; past the table, CRITICAL.</summary>
    public static RiskLevel RowCovering(Func<RequestSpec, bool> covers) =>
        All.FirstOrDefault(p => covers(p.Spec))?.Floor ?? RiskLevel.Critical;

    private static GovernanceProfile Make(string name, RiskLevel level, IsolationKind isolation, FilesystemKind filesystem,
        NetworkPolicySpec network, string seccomp, long memory, TimeSpan cpuTime) =>
        new(name, level, new RequestSpec(name, level, isolation, filesystem, network, seccomp, UserNamespace: true, RootInside: false,
            new SpecResources(memory, cpuTime), [], DefaultTtl, Image: null), Source: null);
}
