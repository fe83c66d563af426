using System.Runtime.InteropServices;
using Xunit;

namespace Sandboxd.Tests.Support;

/// <summary>A test that needs root: it creates namespaces, mounts or cgroups. Without root it
/// skips and says why; CI runs as root, where it always runs.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute() => Skip = SkipUnlessRoot;

    /// <summary>Null as root, else the reason a root-only test skips.</summary>
    internal static string? SkipUnlessRoot =>
        Geteuid() != 0 ? "needs root: creates namespaces, mounts and cgroups (CI runs as root)" : null;

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint Geteuid();
}
