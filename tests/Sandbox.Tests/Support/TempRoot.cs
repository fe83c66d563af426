namespace Sandboxd.Tests.Support;

/// <summary>A test's own state and runtime dirs, removed (without crossing mounts) afterwards.</summary>
public sealed class TempRoot : IDisposable
{
    public TempRoot()
    {
        Path = Directory.CreateTempSubdirectory("sbxtest-").FullName;
        // Searchable by the unprivileged host ids of user-namespace sandboxes (it is made 0700).
        File.SetUnixFileMode(Path, (UnixFileMode)0x1ED);
        StateDir = System.IO.Path.Combine(Path, "state");
        RuntimeDir = System.IO.Path.Combine(Path, "run");
        Directory.CreateDirectory(StateDir);
        Directory.CreateDirectory(RuntimeDir);
    }

    public string Path { get; }

    public string StateDir { get; }

    public string RuntimeDir { get; }

    public void Dispose() => Sandboxd.Isolation.Filesystem.SafeDelete.Tree(Path);
}
