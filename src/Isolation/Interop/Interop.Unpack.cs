using Tmds.Linux;

namespace Sandboxd.Isolation.Interop;

/// <summary>The *at calls image import (Images/ImageUnpacker) makes on parent fds resolved beneath
/// the image's root; openat2, openat, mkdirat and unlinkat are the Files service's (Interop.Files.cs).
/// Declared by Tmds.LibC; these only adapt names and types.</summary>
internal static unsafe partial class Native
{
    private const int F_DUPFD_CLOEXEC = 1030;

    internal static int Dup(int fd) => LibC.fcntl(fd, F_DUPFD_CLOEXEC, 0);

    internal static int SymlinkAt(byte* target, int dirFd, byte* name) => LibC.symlinkat(target, dirFd, name);

    internal static int LinkAt(int oldDir, byte* oldName, int newDir, byte* newName) => LibC.linkat(oldDir, oldName, newDir, newName, 0);

    internal static int FchownAt(int dirFd, byte* name, uint uid, uint gid, int flags) => LibC.fchownat(dirFd, name, uid, gid, flags);

    internal static int Fchown(int fd, uint uid, uint gid) => LibC.fchown(fd, uid, gid);

    internal static int MkfifoAt(int dirFd, byte* name, uint mode) => LibC.mkfifoat(dirFd, name, (mode_t)mode);

    internal static int FchmodAt(int dirFd, byte* name, uint mode) => LibC.fchmodat(dirFd, name, (mode_t)mode, 0);

    /// <summary>The file's access and modification times, in seconds since the epoch.</summary>
    internal static int Futimens(int fd, long seconds)
    {
        var times = stackalloc timespec[2];
        times[0].tv_sec = seconds;
        times[1].tv_sec = seconds;
        return LibC.futimens(fd, times);
    }
}
