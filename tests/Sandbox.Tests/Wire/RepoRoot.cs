namespace Sandboxd.Tests.Wire;

internal static class RepoRoot
{
    /// <summary>The checkout the tests run from: the first directory above the test binaries
    /// that holds Sandbox.sln.</summary>
    public static string Find()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Sandbox.sln")))
                return dir.FullName;
        }
        throw new DirectoryNotFoundException($"no Sandbox.sln above {AppContext.BaseDirectory}");
    }
}
