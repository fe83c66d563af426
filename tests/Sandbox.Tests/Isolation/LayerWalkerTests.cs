using System.Text;
using Sandboxd.Isolation.Filesystem;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Isolation;

/// <summary>The walk of a writable layer over a real directory tree built the way a hostile
/// sandbox would: symlinks out of the tree, FIFOs, deep nesting, many files, odd names; and the
/// diff read with overlayfs's rules (copy-up, whiteout) against a real image directory.</summary>
public sealed class LayerWalkerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("sbx-layer-").FullName;

    private string Upper => Path.Combine(_root, "upper");

    private string Image => Path.Combine(_root, "image");

    public LayerWalkerTests()
    {
        Directory.CreateDirectory(Path.Combine(Upper, "home"));
        Directory.CreateDirectory(Path.Combine(Image, "etc", "ssl"));
        File.WriteAllText(Path.Combine(Image, "etc", "hosts"), "127.0.0.1 localhost\n");
        File.WriteAllText(Path.Combine(Image, "etc", "resolv.conf"), "nameserver 10.0.0.1\n");
    }

    [Fact]
    public void Symlinks_are_recorded_as_links_and_never_followed()
    {
        File.CreateSymbolicLink(Path.Combine(Upper, "home", "shadow"), "/etc/shadow");
        File.CreateSymbolicLink(Path.Combine(Upper, "home", "hostroot"), "/");
        File.CreateSymbolicLink(Path.Combine(Upper, "home", "up"), "../../../..");

        var snapshot = Walk();

        // lstat's size of a link is its target's length, not the host file's size.
        Assert.Equal(LayerEntryType.Symlink, snapshot.Entries["/home/shadow"].Type);
        Assert.Equal("/etc/shadow".Length, snapshot.Entries["/home/shadow"].Size);
        Assert.Equal(["/home", "/home/hostroot", "/home/shadow", "/home/up"], snapshot.Entries.Keys.Order(StringComparer.Ordinal));
        Assert.True(snapshot.Complete);
    }

    [RootFact]
    public void Fifos_and_devices_are_recorded_without_being_opened()
    {
        // Opening a FIFO with no writer blocks forever: the walk must only lstat it.
        Assert.Equal(0, Posix.Mknod(Bytes(Path.Combine(Upper, "home", "pipe")), Posix.S_IFIFO | 0x1B6, 0));
        Assert.Equal(0, Posix.Mknod(Bytes(Path.Combine(Upper, "home", "null")), Posix.S_IFCHR | 0x1B6, (1UL << 8) | 3));

        var walk = Task.Run(Walk);

        Assert.True(walk.Wait(TimeSpan.FromSeconds(30)), "the walk blocked");
        Assert.Equal(LayerEntryType.Fifo, walk.Result.Entries["/home/pipe"].Type);
        Assert.Equal(LayerEntryType.CharDevice, walk.Result.Entries["/home/null"].Type);
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_recorded_as_not_listed()
    {
        var deep = Path.Combine([Upper, .. Enumerable.Repeat("d", 100)]);
        Directory.CreateDirectory(deep);
        File.WriteAllText(Path.Combine(deep, "bottom"), "");

        var snapshot = Walk(new LayerWalkLimits(MaxDepth: 8));

        Assert.True(snapshot.HitDepthLimit);
        Assert.False(snapshot.Complete);
        Assert.Equal(8, snapshot.Entries.Keys.Max(p => p.Count(c => c == '/')));
        var deepest = "/" + string.Join('/', Enumerable.Repeat("d", 8));
        Assert.False(snapshot.Knows(deepest + "/d"), "nothing is known under a directory the walk did not list");
        Assert.True(snapshot.Knows("/d/elsewhere"), "what the walk did list is known");
    }

    [Fact]
    public void Many_files_stop_at_the_entry_limit_and_an_unchanged_tree_diffs_to_nothing()
    {
        var many = Directory.CreateDirectory(Path.Combine(Upper, "many")).FullName;
        for (int i = 0; i < 10_000; i++)
            File.WriteAllBytes(Path.Combine(many, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), []);
        var limits = new LayerWalkLimits(MaxEntries: 500);

        var before = Walk(limits);
        var after = Walk(limits);

        Assert.Equal(500, before.Entries.Count);
        Assert.True(before.HitEntryLimit);
        Assert.False(before.Knows("/many/not-seen"));
        Assert.Empty(LayerDiff.Compare(before, after, _ => null));
    }

    [RootFact]
    public void Hostile_names_become_distinct_printable_paths()
    {
        var home = Path.Combine(Upper, "home") + "/";
        byte[][] names = [[(byte)'a', (byte)'\n', (byte)'b'], [(byte)'f', 0xFF], Encoding.ASCII.GetBytes("f\\xff"), Encoding.UTF8.GetBytes("größe")];
        foreach (var name in names)
            Assert.Equal(0, Posix.Mknod([.. Encoding.ASCII.GetBytes(home), .. name, 0], Posix.S_IFREG | 0x1A4, 0));

        var paths = Walk().Entries.Keys.Where(p => p.StartsWith("/home/", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(["/home/a\\x0ab", "/home/f\\x5cxff", "/home/f\\xff", "/home/größe"], paths);
    }

    [RootFact]
    public void A_diff_reads_copy_ups_whiteouts_and_new_files_the_way_overlayfs_writes_them()
    {
        var before = Walk();
        Directory.CreateDirectory(Path.Combine(Upper, "etc"));
        File.WriteAllText(Path.Combine(Upper, "etc", "hosts"), "127.0.0.1 localhost\n10.0.0.2 db\n"); // copy-up
        File.WriteAllText(Path.Combine(Upper, "etc", "new"), "x");
        Assert.Equal(0, Posix.Mknod(Bytes(Path.Combine(Upper, "etc", "resolv.conf")), Posix.S_IFCHR, 0)); // whiteout
        File.WriteAllText(Path.Combine(Upper, "home", "notes"), "hello");
        var after = Walk();

        var changes = Diff(before, after);

        // /etc itself was copied up only to hold its changed children: no event of its own.
        Assert.Equal(
        [
            new FileChange(FileChangeKind.Modified, "/etc/hosts", LayerEntryType.File, 32),
            new FileChange(FileChangeKind.Created, "/etc/new", LayerEntryType.File, 1),
            new FileChange(FileChangeKind.Deleted, "/etc/resolv.conf", LayerEntryType.File, "nameserver 10.0.0.1\n".Length),
            new FileChange(FileChangeKind.Created, "/home/notes", LayerEntryType.File, 5),
        ], changes);

        // Next: a file made earlier is removed, an image file's mtime is put back (ctime gives it away).
        File.Delete(Path.Combine(Upper, "home", "notes"));
        var hosts = Path.Combine(Upper, "etc", "hosts");
        var mtime = File.GetLastWriteTimeUtc(hosts);
        File.AppendAllText(hosts, "#");
        File.SetLastWriteTimeUtc(hosts, mtime);
        var later = Walk();

        Assert.Equal(
        [
            new FileChange(FileChangeKind.Modified, "/etc/hosts", LayerEntryType.File, 33),
            new FileChange(FileChangeKind.Deleted, "/home/notes", LayerEntryType.File, 5),
        ], Diff(after, later));
        Assert.Empty(Diff(later, Walk()));
    }

    private List<FileChange> Diff(LayerSnapshot before, LayerSnapshot after)
    {
        using var image = new ImageLookup(Image);
        return LayerDiff.Compare(before, after, image.Find);
    }

    private LayerSnapshot Walk() => Walk(LayerWalkLimits.Default);

    private LayerSnapshot Walk(LayerWalkLimits limits)
    {
        using var layer = LayerWalker.OpenDirectory(Upper);
        return LayerWalker.Snapshot(layer, limits);
    }

    private static byte[] Bytes(string path) => [.. Encoding.UTF8.GetBytes(path), 0];

    /// <summary>Never following the links planted in the tree.</summary>
    public void Dispose() => SafeDelete.Tree(_root);
}
