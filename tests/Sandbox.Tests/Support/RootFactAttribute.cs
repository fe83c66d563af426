using System.Runtime.InteropServices;
using Xunit;

namespace Sandboxd.Tests.Support;

/// <summary>A test that needs root: it creates namespaces, mounts or cgroups. Without root it
/// skips and says why; CI runs as root, where it always runs.</summary>
public class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (Geteuid() != 0)
            Skip = "needs root: creates namespaces, mounts and cgroups (CI runs as root)";
    }

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint Geteuid();
}
