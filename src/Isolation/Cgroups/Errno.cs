namespace Sandboxd.Isolation.Cgroups;

/// <summary>Errno numbers the cgroup code handles, and their names for messages
/// ("EBUSY" tells an operator more than "Device or resource busy").</summary>
internal static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int ESRCH = 3;
    public const int EINTR = 4;
    public const int EBUSY = 16;
    public const int EEXIST = 17;

    public static string Name(int errno) => errno switch
    {
        EPERM => "EPERM",
        ENOENT => "ENOENT",
        ESRCH => "ESRCH",
        EINTR => "EINTR",
        5 => "EIO",
        11 => "EAGAIN",
        12 => "ENOMEM",
        13 => "EACCES",
        EBUSY => "EBUSY",
        EEXIST => "EEXIST",
        19 => "ENODEV",
        20 => "ENOTDIR",
        22 => "EINVAL",
        28 => "ENOSPC",
        30 => "EROFS",
        39 => "ENOTEMPTY",
        95 => "EOPNOTSUPP",
        _ => $"errno {errno}",
    };

    /// <summary>Names the errno behind a .NET IO exception: on Unix an IOException's HResult is the raw errno.</summary>
    public static string Describe(Exception ex) => ex switch
    {
        FileNotFoundException or DirectoryNotFoundException => "ENOENT",
        UnauthorizedAccessException => "EACCES/EPERM",
        IOException io when io.HResult is > 0 and < 4096 => Name(io.HResult),
        _ => ex.Message,
    };
}
