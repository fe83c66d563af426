using Sandboxd.Isolation.Profiles;

namespace Sandboxd.Core.State;

/// <summary>How a sandbox's isolation differs from its named profile (a governance spec's
/// `userNamespace: false` or CPU-time limit). Persisted with the sandbox so that a resume runs
/// it as it was approved, not as the bare profile.</summary>
public sealed record ProfileOverrides(bool UserNamespace = true, ulong CpuTimeSeconds = 0)
{
    public static readonly ProfileOverrides None = new();

    public SandboxProfile Apply(SandboxProfile profile)
    {
        if (!UserNamespace)
            profile = profile with { UserNamespace = false };
        // RLIMIT_CPU on init, inherited by every command: past it the kernel stops the command (SIGXCPU).
        if (CpuTimeSeconds > 0)
            profile = profile with
            {
                Rlimits = [.. profile.Rlimits.Where(r => r.Resource != RlimitResource.Cpu), new(RlimitResource.Cpu, CpuTimeSeconds, CpuTimeSeconds)],
            };
        return profile;
    }
}
