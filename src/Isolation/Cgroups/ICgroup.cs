namespace Sandboxd.Isolation.Cgroups;

/// <summary>One sandbox's cgroup. Dispose kills every member and removes the group.</summary>
public interface ICgroup : IDisposable
{
    /// <summary>"sandboxd/&lt;sandbox-id&gt;".</summary>
    string Name { get; }

    /// <summary>Moves a process (and its future children) into the group. On v1 this can take 4–16 ms
    /// after the host was idle, so callers join the sandbox init once, at creation.</summary>
    void AddProcess(int pid);

    /// <summary>The cgroup.procs file of every directory: a new sandbox's first process writes
    /// "0" to each to join, before it unshares its cgroup namespace rooted there.</summary>
    IReadOnlyList<string> ProcsFiles { get; }

    /// <summary>Writes the limits (cheap: no process moves), e.g. onto a prepared sandbox's group.</summary>
    void ApplyLimits(CgroupLimits limits);

    CgroupUsage ReadUsage();

    /// <summary>Only the OOM-kill and pids-limit counters: two small reads, cheap enough to take
    /// around every command so its result can say which limit stopped it.</summary>
    CgroupEventCounters ReadEventCounters();

    /// <summary>Restarts the memory peak so usage can be read per execution; a no-op where the kernel cannot.</summary>
    void ResetPeak();

    /// <summary>SIGKILLs every member, including ones forked while it runs, and returns when the group is empty
    /// (or after a bounded wait). "Empty" is cgroup.procs: pids.current keeps counting killed tasks until
    /// their parent reaps them.</summary>
    void KillAll();

    /// <summary>Freezes every member (v1 freezer.state FROZEN, v2 cgroup.freeze 1) and returns once the
    /// kernel reports the group frozen. Throws <see cref="CgroupException"/> where there is no freezer or
    /// the group does not settle frozen in time (thawed again then).</summary>
    void Freeze();

    /// <summary>Thaws the group. Idempotent.</summary>
    void Thaw();

    /// <summary>Removes the group's directories with rmdir, retrying briefly while members exit. Idempotent.</summary>
    void Remove();
}
