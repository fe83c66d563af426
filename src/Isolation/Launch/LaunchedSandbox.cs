using System.Runtime.InteropServices;
using Sandboxd.Isolation.Cgroups;
using Sandboxd.Isolation.Filesystem;
using Sandboxd.Isolation.Interop;

namespace Sandboxd.Isolation.Launch;

/// <summary>A running sandbox as the host sees it: its init (the daemon's child) and the control
/// channel to it. Destroy kills everything, reaps init, then removes the sandbox's dirs.</summary>
public sealed unsafe class LaunchedSandbox
{
    private int _destroyed;

    private readonly Action? _released;

    internal LaunchedSandbox(SandboxPaths paths, int initPid, InitChannel channel, ICgroup cgroup, OverlayLayers layers,
        Action? released = null, uint? idRangeBase = null)
    {
        Layers = layers;
        IdRangeBase = idRangeBase;
        // Opened while init is certainly this sandbox's (our unreaped child): the file API
        // checks through it that /proc/<pid>/root still belongs to this init (SandboxFiles).
        int pidfd = Native.PidfdOpen(initPid);
        Pidfd = new Microsoft.Win32.SafeHandles.SafeFileHandle(pidfd, ownsHandle: pidfd >= 0);
        _released = released;
        Paths = paths;
        InitPid = initPid;
        Channel = channel;
        Cgroup = cgroup;
    }

    public ICgroup Cgroup { get; }

    /// <summary>The first host id of the sandbox's user-namespace range (host id = this + id
    /// inside), or null without a user namespace (ids inside are host ids).</summary>
    public uint? IdRangeBase { get; }

    /// <summary>A pidfd on init, opened at launch; invalid (-1) on a kernel without pidfds.</summary>
    public Microsoft.Win32.SafeHandles.SafeFileHandle Pidfd { get; }

    /// <summary>The root's layers as the daemon reaches them: the writable one by fd only.</summary>
    public OverlayLayers Layers { get; }

    public SandboxPaths Paths { get; }

    public int InitPid { get; }

    public InitChannel Channel { get; }

    /// <summary>Idempotent. Killing PID 1 of a pid namespace kills every process in it, and the
    /// mount namespace (holding every mount of the sandbox) dies with the last of them.</summary>
    /// <param name="stage">Called after each step with its name, for the daemon's stage breakdown.</param>
    public void Destroy(Action<string>? stage = null)
    {
        if (!End(stage))
            return;
        // Its host id range (user namespace mode) is free once every process of it is gone.
        _released?.Invoke();
        SandboxDisk.Delete(Paths);
        stage?.Invoke("disk_remove");
    }

    /// <summary>Ends every process like <see cref="Destroy"/> but keeps what a resume needs: the
    /// disk image with the sandbox's files and its id range (whose ids own those files).</summary>
    public void Stop() => End(null);

    private bool End(Action<string>? stage)
    {
        if (Interlocked.Exchange(ref _destroyed, 1) == 1)
            return false;
        if (Native.Kill(InitPid, Native.SIGKILL) == -1 && Marshal.GetLastPInvokeError() != Errno.ESRCH)
            throw new SandboxSetupException("kill sandbox init", Marshal.GetLastPInvokeError());
        Reap();
        stage?.Invoke("kill_reap");
        Channel.Dispose();
        // A walk of the writable layer still running holds its own reference: the fd (and the
        // tmpfs it pins) goes when that walk ends.
        Layers.Upper.Dispose();
        Pidfd.Dispose();
        stage?.Invoke("close");
        // Anything that escaped the pid namespace's teardown is still in the cgroup. The
        // sandbox's disk was mounted only in its own mount namespace: unmounted with it.
        Cgroup.Dispose();
        stage?.Invoke("cgroup_remove");
        return true;
    }

    private void Reap()
    {
        while (Native.WaitPid(InitPid, null, 0) == -1)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.ECHILD)
                return;
            if (errno != Errno.EINTR)
                throw new SandboxSetupException("waitpid sandbox init", errno);
        }
    }
}
