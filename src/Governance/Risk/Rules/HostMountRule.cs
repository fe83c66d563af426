using Sandboxd.Governance.Specs;

namespace Sandboxd.Governance.Risk.Rules;

/// <summary>A host directory inside is data leaving the sandbox's world; a writable one is the host changed from inside.</summary>
public sealed class HostMountRule : IRiskRule
{
    public string Name => "host-mounts";

    public RiskFinding? Check(RequestSpec spec, RiskPolicy policy)
    {
        var writable = spec.Mounts.Where(m => !m.ReadOnly).ToList();
        if (writable.Count > 0)
            return new RiskFinding(Name, RiskLevel.Critical, $"writable host mount(s): {Describe(writable)}");
        return spec.Mounts.Count > 0
            ? new RiskFinding(Name, RiskLevel.High, $"read-only host mount(s): {Describe(spec.Mounts)}")
            : null;
    }

    private static string Describe(IEnumerable<HostMount> mounts) => string.Join(", ", mounts.Select(m => $"{m.Source} -> {m.Target}"));
}
