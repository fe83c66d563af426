using Sandboxd.Isolation.Interop;

namespace Sandboxd.Isolation.Execution;

/// <summary>The processes of one execution, found from the host: those in the sandbox's pid
/// namespace whose session (as the sandbox numbers it) is the one the command's leader opened.
/// init starts every command with setsid(), so its children, its pipelines, its shell's jobs and
/// anything double-forked and reparented to init stay in it; a process that calls setsid()
/// itself leaves it.</summary>
public static class ProcessTree
{
    /// <summary>Host pids of the live (non-zombie) members of session <paramref name="sid"/>.</summary>
    public static List<int> Members(int initPid, int sid)
    {
        var members = new List<int>();
        var ns = PidNamespace(initPid);
        if (ns is null)
            return members;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == initPid)
                continue;
            if (IsMember(pid, ns, sid))
                members.Add(pid);
        }
        return members;
    }

    /// <summary>Sends <paramref name="signal"/> to every member; the number signalled.</summary>
    public static int Signal(int initPid, int sid, int signal)
    {
        var ns = PidNamespace(initPid);
        int sent = 0;
        foreach (var pid in Members(initPid, sid))
            sent += SignalIfMember(pid, ns, sid, signal) ? 1 : 0;
        return sent;
    }

    /// <summary>SIGKILLs the members until none is left (a fork racing the kill is caught on the
    /// next round); the number killed. Throws if some survive past <paramref name="limit"/>.</summary>
    public static int Kill(int initPid, int sid, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        var killed = new HashSet<int>();
        while (true)
        {
            var left = Members(initPid, sid);
            if (left.Count == 0)
                return killed.Count;
            if (DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"{left.Count} processes of session {sid} survived SIGKILL");
            var ns = PidNamespace(initPid);
            foreach (var pid in left)
                if (SignalIfMember(pid, ns, sid, Native.SIGKILL))
                    killed.Add(pid);
            Thread.Sleep(1);
        }
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

    private static bool IsMember(int pid, string? ns, int sid)
    {
        if (ns is null || PidNamespace(pid) != ns)
            return false;
        string status;
        try
        {
            status = File.ReadAllText($"/proc/{pid}/status");
        }
        catch (IOException)
        {
            return false;
        }
        int? innerSid = null;
        foreach (var line in status.Split('\n'))
        {
            if (line.StartsWith("State:", StringComparison.Ordinal) && line.Contains("(zombie)", StringComparison.Ordinal))
                return false;
            if (line.StartsWith("NSsid:", StringComparison.Ordinal))
                innerSid = int.TryParse(line.Split('\t', ' ').Last(s => s.Length > 0), out var v) ? v : null;
        }
        return innerSid == sid;
    }

    /// <summary>Through a pidfd taken before the check, so a pid reused in between is never signalled.</summary>
    private static bool SignalIfMember(int pid, string? ns, int sid, int signal)
    {
        var pidfd = Native.PidfdOpen(pid);
        if (pidfd < 0)
            return false;
        try
        {
            return IsMember(pid, ns, sid) && Native.PidfdSendSignal(pidfd, signal) == 0;
        }
        finally
        {
            Native.Close(pidfd);
        }
    }
}
