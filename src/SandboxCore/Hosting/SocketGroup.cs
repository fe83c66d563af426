using System.Globalization;
using System.Runtime.InteropServices;

namespace Sandboxd.Core.Hosting;

/// <summary>config's socketGroup: the Unix socket's group (a name from /etc/group or a gid), so
/// that its members may connect (mode 0660); who they are is still decided by their uid.</summary>
internal static partial class SocketGroup
{
    public static void Apply(string socketPath, string group)
    {
        uint gid = Resolve(group);
        // The directory must let the group search it, or the socket's mode is moot.
        if (Path.GetDirectoryName(socketPath) is { } directory && lchown(directory, uint.MaxValue, gid) != 0)
            throw new IOException($"socketGroup: chgrp {directory}: errno {Marshal.GetLastPInvokeError()}");
        if (lchown(socketPath, uint.MaxValue, gid) != 0)
            throw new IOException($"socketGroup: chgrp {socketPath}: errno {Marshal.GetLastPInvokeError()}");
    }

    public static uint Resolve(string group)
    {
        if (uint.TryParse(group, NumberStyles.None, CultureInfo.InvariantCulture, out uint gid))
            return gid;
        foreach (var line in File.ReadLines("/etc/group"))
        {
            var fields = line.Split(':');
            if (fields.Length >= 3 && fields[0] == group && uint.TryParse(fields[2], CultureInfo.InvariantCulture, out gid))
                return gid;
        }
        throw new IOException($"socketGroup: no group '{group}' in /etc/group");
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int lchown(string path, uint owner, uint group);
}
