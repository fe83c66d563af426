namespace Sandboxd.Isolation.Filesystem;

/// <summary>A user-namespace sandbox's processes are unprivileged host ids, and its setup walks
/// the path to its image and its mount point as one of them: every directory on the way must
/// be searchable by others (o+x). The state and runtime dirs are the daemon's own (it is given
/// them), so it adds o+x to them and to what it makes inside; search without read lets a
/// sandbox pass through, not list (a fresh `mktemp -d` is 0700). A directory above them is not
/// the daemon's to change: that one is refused at start, naming it.</summary>
public static class TraversablePath
{
    /// <summary>Makes dir (created if missing) and each dir below it up to leaf searchable by
    /// others, then checks the directories above dir.</summary>
    public static void Own(string dir, params string[] below)
    {
        var root = Path.GetFullPath(dir);
        Directory.CreateDirectory(root);
        AddSearch(root);
        foreach (var relative in below)
        {
            var path = root;
            foreach (var part in relative.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                path = Path.Combine(path, part);
                Directory.CreateDirectory(path);
                AddSearch(path);
            }
        }
        RequireAbove(root);
    }

    private static void AddSearch(string path)
    {
        var mode = File.GetUnixFileMode(path);
        if ((mode & UnixFileMode.OtherExecute) == 0)
            File.SetUnixFileMode(path, mode | UnixFileMode.OtherExecute);
    }

    private static void RequireAbove(string dir)
    {
        for (var d = new DirectoryInfo(dir).Parent; d is not null; d = d.Parent)
            if ((d.UnixFileMode & UnixFileMode.OtherExecute) == 0)
                throw new Launch.SandboxSetupException($"{d.FullName} is not searchable by others (o+x): user-namespace sandboxes below it could not reach their image; chmod o+x it or choose another --state-dir/--runtime-dir");
    }
}
