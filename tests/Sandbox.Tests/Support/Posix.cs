using System.Runtime.InteropServices;

namespace Sandboxd.Tests.Support;

internal static partial class Posix
{
    public const int SIGKILL = 9;
    public const int SIGINT = 2;
    public const int SIGTERM = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Link(string existing, string newPath);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    /// <summary>mknod(2) with the name as raw bytes (NUL-terminated): any file type, any name.</summary>
    [LibraryImport("libc", EntryPoint = "mknod", SetLastError = true)]
    public static partial int Mknod(byte[] path, uint mode, ulong dev);

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mount(string source, string target, string fsType, ulong flags, string? data);

    /// <summary>umount2(2); MNT_DETACH = 2.</summary>
    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Umount2(string target, int flags);

    public const uint S_IFREG = 0x8000, S_IFCHR = 0x2000, S_IFIFO = 0x1000;

    /// <summary>True while a process with this pid exists (a zombie counts).</summary>
    public static bool ProcessExists(int pid) => Directory.Exists($"/proc/{pid}");
}
