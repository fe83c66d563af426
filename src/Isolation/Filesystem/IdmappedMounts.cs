using Sandboxd.Isolation.Interop;

namespace Sandboxd.Isolation.Filesystem;

/// <summary>Idmapped mounts (Linux 5.12+, overlayfs lower layers 5.19+) let a user-namespace
/// sandbox see the image's files owned by its own ids (host id N as id N inside), so root inside
/// can change any of them in its writable layer. Without them the sandbox runs as before: the
/// image's files belong to ids it does not map (nobody), and root inside cannot change /etc.</summary>
public static unsafe class IdmappedMounts
{
    private static readonly Dictionary<int, string> Steps = new()
    {
        [101] = "clone a probe user namespace", [108] = "write the probe's uid_map/gid_map",
        [110] = "open the probe's user namespace", [111] = "open_tree(clone)", [112] = "mount_setattr(idmap)",
    };

    /// <summary>Null when an idmapped clone of path can be made here, else the failed step and
    /// errno ("mount_setattr(idmap) of /srv: EINVAL"). Makes one and drops it unattached.</summary>
    public static string? WhyNot(string path)
    {
        int step = 0;
        if (Native.ProbeIdmap(path, &step) == 0)
            return null;
        int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        var name = Steps.TryGetValue(step, out var s) ? s : $"step {step}";
        return $"{name} of {path}: {Errno.Describe(errno)}";
    }
}
