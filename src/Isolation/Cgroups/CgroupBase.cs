using System.Runtime.InteropServices;

namespace Sandboxd.Isolation.Cgroups;

/// <summary>What v1 and v2 groups do the same way: join by writing cgroup.procs in every directory,
/// kill members by pid, remove with rmdir.</summary>
internal abstract class CgroupBase : ICgroup
{
    /// <summary>How long KillAll waits for the group to empty: SIGKILLed tasks leave within milliseconds
    /// unless stuck in uninterruptible sleep, which no wait would fix.</summary>
    private static readonly TimeSpan KillBudget = TimeSpan.FromSeconds(1);

    protected CgroupBase(string name, IReadOnlyList<CgroupDir> dirs)
    {
        Name = name;
        Dirs = dirs;
    }

    public string Name { get; }

    /// <summary>Every directory of the group, in creation order.</summary>
    public IReadOnlyList<CgroupDir> Dirs { get; }

    public IReadOnlyList<string> ProcsFiles =>
        Dirs.Select(d => System.IO.Path.Combine(d.Path, "cgroup.procs")).Distinct(StringComparer.Ordinal).ToList();

    public void AddProcess(int pid)
    {
        foreach (var dir in Dirs)
            CgroupFs.Write(dir, "cgroup.procs", pid);
    }

    public abstract void ApplyLimits(CgroupLimits limits);

    public abstract CgroupUsage ReadUsage();

    public abstract CgroupEventCounters ReadEventCounters();

    public abstract void ResetPeak();

    public abstract void KillAll();

    public abstract void Freeze();

    public abstract void Thaw();

    public void Remove()
    {
        var deadline = DateTime.UtcNow + CgroupFs.RemoveBudget;
        for (var i = Dirs.Count - 1; i >= 0; i--)
            CgroupFs.RemoveDir(Dirs[i], deadline);
        CgroupFs.RemoveParentIfEmpty(Dirs);
    }

    public void Dispose()
    {
        try
        {
            KillAll();
        }
        finally
        {
            Remove();
            DisposeHandles();
        }
    }

    protected virtual void DisposeHandles()
    {
    }

    /// <summary>Freezing first stops a fork loop from outrunning the kill; the kill itself is SIGKILL by
    /// pid, repeated until the group is empty so members that a missing freezer let through are caught too.</summary>
    protected void KillMembers(Action? freeze, Action? thaw)
    {
        // The usual case on destroy: the pid namespace died with its init and took every
        // member along. Freezing an empty group would only add latency.
        if (Dirs.All(d => CgroupFs.ReadProcs(d).Count == 0))
            return;
        if (freeze is not null)
        {
            freeze();
            try
            {
                SignalMembers();
            }
            finally
            {
                thaw!();
            }
        }
        var deadline = DateTime.UtcNow + KillBudget;
        while (SignalMembers() > 0 && DateTime.UtcNow < deadline)
            Thread.Sleep(5);
    }

    /// <summary>Polls a state file until it reads the wanted value; false after the budget.</summary>
    protected static bool WaitFor(Func<bool> done) => SpinWait.SpinUntil(done, KillBudget);

    /// <summary>SIGKILLs each current member once; returns how many there were.</summary>
    private int SignalMembers()
    {
        var members = new HashSet<int>();
        foreach (var dir in Dirs)
            members.UnionWith(CgroupFs.ReadProcs(dir));
        foreach (var pid in members)
        {
            if (CgroupInterop.Kill(pid, CgroupInterop.Sigkill) == 0)
                continue;
            var errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.ESRCH) // ESRCH: exited between reading cgroup.procs and the kill.
                throw new CgroupException(Dirs[0].Context, $"kill {pid}", Dirs[0].Path, Errno.Name(errno));
        }
        return members.Count;
    }
}
