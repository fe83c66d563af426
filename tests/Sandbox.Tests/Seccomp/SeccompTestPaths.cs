namespace Sandboxd.Tests.Seccomp;

/// <summary>Where the repository's profile files and the probe binaries are, found from the test
/// assembly's directory so tests run from any working directory.</summary>
internal static class SeccompTestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string ProfilesDir => Path.Combine(RepoRoot, "profiles", "seccomp");

    /// <summary>Built by <c>make -C tests/probe</c>.</summary>
    public static string SeccompRun => Probe("seccomp-run");

    public static string SyscallTry => Probe("syscall-try");

    private static string Probe(string name)
    {
        var path = Path.Combine(RepoRoot, "tests", "probe", "build", name);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: run `make -C tests/probe`", path);
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Sandbox.sln")))
                return dir.FullName;
        }

        throw new DirectoryNotFoundException($"no Sandbox.sln above {AppContext.BaseDirectory}");
    }
}
