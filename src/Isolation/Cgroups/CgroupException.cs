namespace Sandboxd.Isolation.Cgroups;

/// <summary>A cgroup operation failed. The message names the hierarchy, the step and the errno,
/// e.g. "cgroup v1 memory: write memory.limit_in_bytes: EBUSY (/sys/fs/cgroup/memory/sandboxd/x)".</summary>
public sealed class CgroupException : Exception
{
    public CgroupException(string context, string step, string path, string reason, Exception? inner = null)
        : base($"{context}: {step}: {reason} ({path})", inner)
    {
        Step = step;
        Path = path;
    }

    public CgroupException() : this("cgroup", "unknown", "", "failed")
    {
    }

    public CgroupException(string message) : base(message)
    {
        Step = "unknown";
        Path = "";
    }

    public CgroupException(string message, Exception inner) : base(message, inner)
    {
        Step = "unknown";
        Path = "";
    }

    /// <summary>What was being done, e.g. "write memory.limit_in_bytes".</summary>
    public string Step { get; }

    /// <summary>The cgroupfs file or directory involved.</summary>
    public string Path { get; }
}
