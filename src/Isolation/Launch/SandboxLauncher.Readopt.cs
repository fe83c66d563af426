using Sandboxd.Isolation.Cgroups;
using Sandboxd.Isolation.Filesystem;
using Sandboxd.Isolation.Profiles;

namespace Sandboxd.Isolation.Launch;

/// <summary>Re-adoption: the sandboxes a previous daemon launched keep running without it (their
/// init re-arms its control socket, native/init_adopt.c); this daemon takes them back.</summary>
public sealed partial class SandboxLauncher
{
    /// <summary>The sandbox <paramref name="id"/> whose init was <paramref name="initPid"/>, as the
    /// daemon that launched it held it: control socket, writable layer, cgroup (by name), id range
    /// (claimed again). Its rlimits, seccomp program and root capabilities live in init and stay;
    /// commands it was running for the old daemon were ended by init. A paused sandbox is thawed
    /// for init to answer, then frozen again. Throws <see cref="SandboxReadoptException"/> when it
    /// cannot be re-adopted, touching nothing: the caller cleans it up.</summary>
    public LaunchedSandbox Readopt(string id, int initPid, SandboxProfile profile, string? image, uint? idRangeBase, bool paused)
    {
        var name = CgroupName.For(id);
        var pidfd = InitReconnect.OpenVerified(initPid, name);
        ICgroup? cgroup = null;
        int sock = -1;
        Microsoft.Win32.SafeHandles.SafeFileHandle? upper = null;
        try
        {
            try
            {
                cgroup = _cgroups.Open(name);
            }
            catch (CgroupException e)
            {
                throw new SandboxReadoptException("open its cgroup: " + e.Message, e);
            }
            if (paused)
                cgroup.Thaw();
            sock = InitReconnect.TakeControl(pidfd, initPid);
            upper = InitReconnect.TakeUpper(pidfd, initPid);
            if (paused)
                cgroup.Freeze();
        }
        catch
        {
            if (sock >= 0)
                Interop.Native.Close(sock);
            upper?.Dispose();
            pidfd.Dispose();
            throw;
        }
        if (idRangeBase is { } range)
            _idRanges.Claim(range);
        var sandbox = new LaunchedSandbox(PathsFor(id), initPid, new InitChannel(sock), cgroup, new OverlayLayers(upper, image ?? _defaultImage),
            idRangeBase is { } owned ? () => _idRanges.Release(owned) : null, idRangeBase, adoptedPidfd: pidfd);
        sandbox.Channel.Readopted(profile.NotifiesDaemon ? profile.SeccompFilter : null);
        return sandbox;
    }
}
