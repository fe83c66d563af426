using System.Runtime.InteropServices;

namespace Sandboxd.Isolation.Launch;

/// <summary>errno numbers as the names people grep for ("EINVAL"), with libc's text.</summary>
public static class Errno
{
    private static readonly Dictionary<int, string> Names = new()
    {
        [1] = "EPERM", [2] = "ENOENT", [3] = "ESRCH", [4] = "EINTR", [5] = "EIO", [7] = "E2BIG",
        [8] = "ENOEXEC", [9] = "EBADF", [10] = "ECHILD", [11] = "EAGAIN", [12] = "ENOMEM",
        [13] = "EACCES", [14] = "EFAULT", [16] = "EBUSY", [17] = "EEXIST", [18] = "EXDEV",
        [19] = "ENODEV", [20] = "ENOTDIR", [21] = "EISDIR", [22] = "EINVAL", [23] = "ENFILE",
        [24] = "EMFILE", [26] = "ETXTBSY", [28] = "ENOSPC", [30] = "EROFS", [36] = "ENAMETOOLONG",
        [38] = "ENOSYS", [39] = "ENOTEMPTY", [40] = "ELOOP", [71] = "EPROTO", [95] = "EOPNOTSUPP",
        [110] = "ETIMEDOUT",
    };

    public static string Name(int errno) => Names.TryGetValue(errno, out var name) ? name : $"errno {errno}";

    public static string Describe(int errno) => $"{Name(errno)} ({Marshal.GetPInvokeErrorMessage(errno)})";
}
