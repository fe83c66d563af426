namespace Sandboxd.Isolation.Launch;

/// <summary>Mirrors enum sbx_op_kind in native/sbx.h.</summary>
public enum SetupOpKind : uint
{
    MakePrivate = 1,
    Mount = 2,
    Bind = 3,
    Mkdir = 4,
    CreateFile = 5,
    Symlink = 6,
    PivotRoot = 7,
    Hostname = 8,
    LoopbackUp = 9,
    Chdir = 10,
    WriteFile = 11,
    Unshare = 12,
    Chown = 13,
    SendDir = 14,
    AttachTree = 15,
    AttachFd = 16,
}
