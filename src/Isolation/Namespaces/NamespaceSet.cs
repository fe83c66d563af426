namespace Sandboxd.Isolation.Namespaces;

/// <summary>clone() flags for the namespaces a sandbox gets.</summary>
[Flags]
public enum NamespaceSet : ulong
{
    None = 0,
    Mount = 0x00020000,
    Cgroup = 0x02000000,
    Uts = 0x04000000,
    Ipc = 0x08000000,
    User = 0x10000000,
    Pid = 0x20000000,
    Network = 0x40000000,

    /// <summary>Everything but the user namespace (a profile option, not on in this slice).</summary>
    Standard = Mount | Cgroup | Uts | Ipc | Pid | Network,
}
