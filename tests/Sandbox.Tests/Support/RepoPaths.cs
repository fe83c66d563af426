namespace Sandboxd.Tests.Support;

/// <summary>Locations in the checkout the tests need (the probe, the interop client).</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Probe => Path.Combine(Root, "tests", "probe", "build", "sbx-probe");

    public static string SyscallTry => Path.Combine(Root, "tests", "probe", "build", "syscall-try");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Sandbox.sln")))
                return dir.FullName;
        throw new InvalidOperationException("Sandbox.sln not found above " + AppContext.BaseDirectory);
    }
}
