namespace Sandboxd.Isolation.Launch;

/// <summary>One step native code runs between clone() and execve(). Describe names it in errors.</summary>
public sealed record SetupOp(SetupOpKind Kind, string? Src = null, string? Dst = null, string? FsType = null,
    string? Data = null, ulong Flags = 0)
{
    public string Describe() => Kind switch
    {
        SetupOpKind.MakePrivate => $"make {Dst} private",
        SetupOpKind.Mount => $"{FsType} mount on {Dst}",
        SetupOpKind.Bind => $"bind {Src} on {Dst}",
        SetupOpKind.Mkdir => $"mkdir {Dst}",
        SetupOpKind.CreateFile => $"create {Dst}",
        SetupOpKind.Symlink => $"symlink {Dst}",
        SetupOpKind.PivotRoot => "pivot_root",
        SetupOpKind.Hostname => "sethostname",
        SetupOpKind.LoopbackUp => "loopback up",
        SetupOpKind.Chdir => $"chdir {Dst}",
        SetupOpKind.WriteFile => $"write {Dst}",
        SetupOpKind.Unshare => "unshare",
        SetupOpKind.Chown => $"chown {Dst}",
        SetupOpKind.SendDir => $"send {Dst} to the daemon",
        SetupOpKind.AttachTree => $"attach the idmapped {Src} at {Dst}",
        SetupOpKind.AttachFd => $"attach {Src} at {Dst}",
        _ => Kind.ToString(),
    };

    /// <summary>What to check when this op fails with errno, as bubblewrap prints hints.</summary>
    public string? Hint(int errno) => (Kind, FsType, errno) switch
    {
        (SetupOpKind.Mount, "overlay", 22) => "is the upper dir on a filesystem overlayfs accepts (not overlayfs itself), and is the image a directory?",
        (SetupOpKind.Mount, "overlay", 19) => "the kernel has no overlayfs (modprobe overlay)",
        (SetupOpKind.Mount, _, 1) => "mounting needs CAP_SYS_ADMIN: run sandboxd as root",
        (SetupOpKind.Mount, _, 13) => "in a user namespace every directory above the state and runtime dirs must be searchable (o+x) by the sandbox's host ids",
        (SetupOpKind.WriteFile, _, 28) => "the cgroup's limits leave no room for another process",
        (SetupOpKind.PivotRoot, _, 22) => "the new root must be a mount point and not share propagation with /",
        _ => null,
    };
}
