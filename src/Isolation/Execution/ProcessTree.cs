using Sandboxd.Isolation.Interop;

namespace Sandboxd.Isolation.Execution;

/// <summary>The processes of one execution, found from the host in the sandbox's pid namespace:
/// the members of the session the command's leader opened (init starts every command with
/// setsid(), so its children, pipelines, shell jobs and anything double-forked and reparented to
/// init stay in it) and every descendant of a member, so a process that calls setsid() itself
/// (`setsid sleep`, a daemon) is still found through its parent. init makes each command a child
/// subreaper, so while its leader lives an orphaned descendant is reparented to the leader, not
/// to init, and stays a descendant.</summary>
public static class ProcessTree
{
    private readonly record struct Entry(int Pid, int ParentPid, int? Sid, bool Zombie);

    /// <summary>Host pids of the live (non-zombie) processes of the execution whose session is <paramref name="sid"/>.</summary>
    public static List<int> Members(int initPid, int sid)
    {
        var ns = PidNamespace(initPid);
        if (ns is null)
            return [];
        var entries = new List<Entry>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && pid != initPid && PidNamespace(pid) == ns && Read(pid) is { } entry)
                entries.Add(entry);
        }
        // Members first, then their descendants until nothing more joins (parents may be listed after children).
        var members = entries.Where(e => e.Sid == sid).Select(e => e.Pid).ToHashSet();
        for (bool grew = true; grew;)
        {
            grew = false;
            foreach (var e in entries)
                if (!members.Contains(e.Pid) && members.Contains(e.ParentPid))
                    grew |= members.Add(e.Pid);
        }
        return entries.Where(e => !e.Zombie && members.Contains(e.Pid)).Select(e => e.Pid).ToList();
    }

    /// <summary>Sends <paramref name="signal"/> to every member; the number signalled.</summary>
    public static int Signal(int initPid, int sid, int signal)
    {
        int sent = 0;
        foreach (var pid in Members(initPid, sid))
            sent += SignalInNamespace(initPid, pid, signal) ? 1 : 0;
        return sent;
    }

    /// <summary>Stops every member (SIGSTOP) until a walk finds no new one, so no process of the
    /// tree can fork, call setsid() or lose its parent between the walk and the kill; then
    /// SIGKILLs them, and repeats until none is left; the number killed. Each stopped process is
    /// held by a pidfd, so a pid reused later is never signalled. Throws if some survive past
    /// <paramref name="limit"/>.</summary>
    public static int Kill(int initPid, int sid, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        var held = new Dictionary<int, int>();
        try
        {
            while (DateTime.UtcNow <= deadline)
            {
                var fresh = Members(initPid, sid).Where(pid => !held.ContainsKey(pid)).ToList();
                if (fresh.Count == 0)
                    break;
                foreach (var pid in fresh)
                    if (Hold(initPid, pid) is { } pidfd)
                    {
                        held[pid] = pidfd;
                        _ = Native.PidfdSendSignal(pidfd, Native.SIGSTOP);
                    }
            }
            var killed = new HashSet<int>();
            while (true)
            {
                foreach (var (pid, pidfd) in held)
                    if (Native.PidfdSendSignal(pidfd, Native.SIGKILL) == 0 && Read(pid) is { Zombie: false })
                        killed.Add(pid);
                foreach (var pid in Members(initPid, sid))
                    if (SignalInNamespace(initPid, pid, Native.SIGKILL))
                        killed.Add(pid);
                var left = Members(initPid, sid).Count
                    + held.Count(h => Native.PidfdSendSignal(h.Value, 0) == 0 && Read(h.Key) is { Zombie: false });
                if (left == 0)
                    return killed.Count;
                if (DateTime.UtcNow > deadline)
                    throw new InvalidOperationException($"{left} processes of session {sid} survived SIGKILL");
                Thread.Sleep(1);
            }
        }
        finally
        {
            foreach (var pidfd in held.Values)
                Native.Close(pidfd);
        }
    }

    /// <summary>A pidfd of a live process of the sandbox's pid namespace, or null.</summary>
    private static int? Hold(int initPid, int pid)
    {
        var pidfd = Native.PidfdOpen(pid);
        if (pidfd < 0)
            return null;
        var ns = PidNamespace(initPid);
        if (ns is not null && PidNamespace(pid) == ns && Read(pid) is { Zombie: false })
            return pidfd;
        Native.Close(pidfd);
        return null;
    }

    private static string? PidNamespace(int pid)
    {
        try
        {
            return new FileInfo($"/proc/{pid}/ns/pid").LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>State, parent (host pid) and session (as the sandbox numbers it) from /proc/PID/status; null once gone.</summary>
    private static Entry? Read(int pid)
    {
        string status;
        try
        {
            status = File.ReadAllText($"/proc/{pid}/status");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        int parent = 0;
        int? sid = null;
        bool zombie = false;
        foreach (var line in status.Split('\n'))
        {
            if (line.StartsWith("State:", StringComparison.Ordinal))
                zombie = line.Contains("(zombie)", StringComparison.Ordinal) || line.Contains("(dead)", StringComparison.Ordinal);
            else if (line.StartsWith("PPid:", StringComparison.Ordinal))
                parent = LastNumber(line) ?? 0;
            else if (line.StartsWith("NSsid:", StringComparison.Ordinal))
                sid = LastNumber(line);
        }
        return new Entry(pid, parent, sid, zombie);
    }

    private static int? LastNumber(string line) =>
        int.TryParse(line.Split('\t', ' ').Last(s => s.Length > 0), out var v) ? v : null;

    /// <summary>Through a pidfd taken before the check, so a pid reused in between (by a process
    /// outside the sandbox's pid namespace) is never signalled.</summary>
    private static bool SignalInNamespace(int initPid, int pid, int signal)
    {
        if (Hold(initPid, pid) is not { } pidfd)
            return false;
        try
        {
            return Native.PidfdSendSignal(pidfd, signal) == 0;
        }
        finally
        {
            Native.Close(pidfd);
        }
    }
}
