using Sandboxd.Core.State;
using Sandboxd.Isolation.Cgroups;
using Sandboxd.Isolation.Profiles;

namespace Sandboxd.Core.Orchestration;

/// <summary>The profile a create names, and its limits after the request's overrides, each
/// override checked on its own with the field's name.</summary>
public static class LimitsResolver
{
    private const long MiB = 1 << 20;

    public static SandboxProfile Profile(string name) =>
        BuiltinSandboxProfiles.Find(name.Length == 0 ? "default" : name)
        ?? throw new InvalidFieldException("profile", $"'{name}' is unknown (known: {string.Join(", ", BuiltinSandboxProfiles.All.Select(p => p.Name))})");

    public static SandboxLimits Resolve(SandboxProfile profile, ResourceRequest? overrides)
    {
        var r = overrides ?? new ResourceRequest();
        long memory = r.MemoryBytes != 0 ? r.MemoryBytes : profile.Limits.MemoryBytes ?? 0;
        long pids = r.Pids != 0 ? r.Pids : profile.Limits.Pids ?? 0;
        double cpus = r.Cpus != 0 ? r.Cpus : profile.Limits.CpuQuota ?? 0;
        long disk = r.DiskBytes != 0 ? r.DiskBytes : profile.DiskBytes;
        if (memory is < 0 or (> 0 and < 16 * MiB))
            throw new InvalidFieldException("resources.memory_bytes", "must be at least 16 MiB");
        if (pids is < 0 or (> 0 and < 8))
            throw new InvalidFieldException("resources.pids", "must be at least 8");
        if (cpus < 0 || cpus > Environment.ProcessorCount * 4 || double.IsNaN(cpus))
            throw new InvalidFieldException("resources.cpus", $"must be between 0.01 and {Environment.ProcessorCount * 4}");
        if (cpus is > 0 and < 0.01)
            throw new InvalidFieldException("resources.cpus", "must be at least 0.01");
        if (disk < MiB)
            throw new InvalidFieldException("resources.disk_bytes", "must be at least 1 MiB");
        return new SandboxLimits(memory, pids, cpus, disk);
    }

    public static CgroupLimits ToCgroup(SandboxLimits limits, SandboxProfile profile) => profile.Limits with
    {
        MemoryBytes = limits.MemoryBytes > 0 ? limits.MemoryBytes : null,
        Pids = limits.Pids > 0 ? limits.Pids : null,
        CpuQuota = limits.Cpus > 0 ? limits.Cpus : null,
    };
}
