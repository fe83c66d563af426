using Sandboxd.Isolation.Cgroups;
using Sandboxd.Isolation.Seccomp;

namespace Sandboxd.Isolation.Profiles;

/// <summary>The profiles sandboxd ships. "default" runs ordinary programs (compilers, python,
/// git) with a container-runtime-like filter; "strict" allows only a listed set of syscalls
/// and smaller limits. Both use a user namespace: root inside is nobody on the host.</summary>
public static class BuiltinSandboxProfiles
{
    private const long MiB = 1 << 20;

    private static readonly RlimitSetting[] CommonRlimits =
    [
        new(RlimitResource.Core, 0, 0),
        new(RlimitResource.NoFile, 4096, 4096),
    ];

    /// <summary>What the audit record shows of every sandbox: programs started and connections made.</summary>
    private static readonly string[] Audited = ["execve", "execveat", "connect"];

    /// <summary>Docker's default set for a container's root, less NET_RAW (raw sockets are refused
    /// by the filter anyway; the proxy must see all traffic) and MKNOD (the filter refuses device
    /// nodes, and a user namespace may not make them: it would grant nothing).</summary>
    private static readonly Capability[] ContainerRootCapabilities =
    [
        Capability.Chown, Capability.DacOverride, Capability.Fowner, Capability.Fsetid, Capability.Kill,
        Capability.Setgid, Capability.Setuid, Capability.Setpcap, Capability.NetBindService,
        Capability.SysChroot, Capability.AuditWrite, Capability.Setfcap,
    ];

    public static SandboxProfile Default { get; } = new("default", BuiltinProfiles.Default,
        new CgroupLimits(MemoryBytes: 1024 * MiB, Pids: 512), DiskBytes: 1024 * MiB, CommonRlimits)
    {
        UserNamespace = true,
        AuditedSyscalls = Audited,
        RootCapabilities = ContainerRootCapabilities,
    };

    /// <summary>Root inside holds no capability (and the filter refuses set*id and capset).</summary>
    public static SandboxProfile Strict { get; } = new("strict", BuiltinProfiles.Strict,
        new CgroupLimits(MemoryBytes: 256 * MiB, Pids: 128, CpuQuota: 1.0), DiskBytes: 256 * MiB, CommonRlimits)
    {
        UserNamespace = true,
        AuditedSyscalls = Audited,
    };

    public static IReadOnlyList<SandboxProfile> All { get; } = [Default, Strict];

    public static SandboxProfile? Find(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal));
}
