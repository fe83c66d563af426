namespace Sandboxd.Isolation.Filesystem;

/// <summary>mount(2) flags used by the rootfs plan.</summary>
public static class MountFlags
{
    public const ulong ReadOnly = 1;
    public const ulong NoSuid = 2;
    public const ulong NoDev = 4;
    public const ulong NoExec = 8;
}
