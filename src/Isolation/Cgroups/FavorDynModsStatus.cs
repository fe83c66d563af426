namespace Sandboxd.Isolation.Cgroups;

public enum FavorDynModsStatus
{
    On,
    Off,
    /// <summary>The kernel predates the option (Linux &lt; 6.1).</summary>
    Unsupported,
    NoHierarchy,
    /// <summary>The remount was refused; the detail names the errno.</summary>
    Failed,
}
