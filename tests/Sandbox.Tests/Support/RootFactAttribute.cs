using System.Runtime.InteropServices;
using Xunit;

namespace Sandboxd.Tests.Support;

/// <summary>A test that needs root: it creates namespaces, mounts or cgroups. Without root it
/// skips and says why; CI runs as root, where it always runs.</summary>
public class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        Skip = RootOnly.SkipReason;
    }
}

/// <summary>A data-driven test that needs root, as <see cref="RootFactAttribute"/>.</summary>
public sealed class RootTheoryAttribute : TheoryAttribute
{
    public RootTheoryAttribute()
    {
        Skip = RootOnly.SkipReason;
    }
}

internal static partial class RootOnly
{
    public static string? SkipReason =>
        Geteuid() != 0 ? "needs root: creates namespaces, mounts and cgroups (CI runs as root)" : null;

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint Geteuid();
}
