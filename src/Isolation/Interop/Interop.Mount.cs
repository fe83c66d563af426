using Tmds.Linux;

namespace Sandboxd.Isolation.Interop;

internal static unsafe partial class Native
{
    internal const ulong MS_REMOUNT = 32;

    internal static int Mount(string? source, string target, string? fsType, ulong flags, string? data)
    {
        fixed (byte* s = Utf8z(source), t = Utf8z(target), f = Utf8z(fsType), d = Utf8z(data))
            return LibC.mount(s, t, f, (ulong_t)flags, d);
    }
}
