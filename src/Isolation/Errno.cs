using System.Globalization;
using System.Runtime.InteropServices;

namespace Sandboxd.Isolation;

/// <summary>errno numbers (x86_64 Linux) as the names people grep for ("EBUSY" tells an operator
/// more than "Device or resource busy"), for messages and for profile files. One table for every layer.</summary>
public static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int ESRCH = 3;
    public const int EINTR = 4;
    public const int EBADF = 9;
    public const int EIO = 5;
    public const int ENOTTY = 25;
    public const int EBUSY = 16;
    public const int EEXIST = 17;
    public const int ECHILD = 10;
    public const int EACCES = 13;
    public const int ENOTDIR = 20;
    public const int ENOSYS = 38;
    public const int ELOOP = 40;
    public const int EPROTO = 71;

    private static readonly Dictionary<int, string> Names = new()
    {
        [1] = "EPERM", [2] = "ENOENT", [3] = "ESRCH", [4] = "EINTR", [5] = "EIO", [7] = "E2BIG",
        [8] = "ENOEXEC", [9] = "EBADF", [10] = "ECHILD", [11] = "EAGAIN", [12] = "ENOMEM",
        [13] = "EACCES", [14] = "EFAULT", [16] = "EBUSY", [17] = "EEXIST", [18] = "EXDEV",
        [19] = "ENODEV", [20] = "ENOTDIR", [21] = "EISDIR", [22] = "EINVAL", [23] = "ENFILE",
        [24] = "EMFILE", [26] = "ETXTBSY", [28] = "ENOSPC", [30] = "EROFS", [36] = "ENAMETOOLONG",
        [38] = "ENOSYS", [39] = "ENOTEMPTY", [40] = "ELOOP", [71] = "EPROTO", [95] = "EOPNOTSUPP",
        [97] = "EAFNOSUPPORT", [110] = "ETIMEDOUT", [125] = "ECANCELED",
    };

    private static readonly Dictionary<string, int> Numbers =
        Names.ToDictionary(kv => kv.Value, kv => kv.Key, StringComparer.OrdinalIgnoreCase);

    public static string Name(int errno) => Names.TryGetValue(errno, out var name) ? name : $"errno {errno}";

    public static bool TryGetName(int errno, out string? name) => Names.TryGetValue(errno, out name);

    /// <summary>A name ("EPERM", any case) or a number.</summary>
    public static bool TryParse(string text, out int errno) =>
        Numbers.TryGetValue(text, out errno) || int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out errno);

    public static IEnumerable<string> KnownNames => Numbers.Keys;

    public static string Describe(int errno) => $"{Name(errno)} ({Marshal.GetPInvokeErrorMessage(errno)})";

    /// <summary>Names the errno behind a .NET IO exception: on Unix an IOException's HResult is the raw errno.</summary>
    public static string Describe(Exception ex) => ex switch
    {
        FileNotFoundException or DirectoryNotFoundException => "ENOENT",
        UnauthorizedAccessException => "EACCES/EPERM",
        IOException io when io.HResult is > 0 and < 4096 => Name(io.HResult),
        _ => ex.Message,
    };
}
