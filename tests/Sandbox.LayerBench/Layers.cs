using Sandboxd.Isolation.Cgroups;
using Sandboxd.Isolation.Filesystem;
using Sandboxd.Isolation.Launch;
using Sandboxd.Isolation.Namespaces;
using Sandboxd.Isolation.Seccomp;

namespace Sandboxd.LayerBench;

/// <summary>Starts a static /bin/true through NativeLauncher with one more layer each row:
/// namespaces, the network namespace, the overlay root with /proc, /dev and /tmp, the cgroup
/// join; plus cgroup setup/teardown and seccomp compilation on their own.</summary>
internal sealed class Layers(string trueBinary, string root, int n)
{
    private const NamespaceSet Basic = NamespaceSet.Pid | NamespaceSet.Mount | NamespaceSet.Ipc | NamespaceSet.Uts;

    public List<LayerRow> Run()
    {
        using var binary = InitBinary.Load(trueBinary);
        var paths = new SandboxPaths(Path.Combine(root, "state"), Path.Combine(root, "run"), "layers");
        Directory.CreateDirectory(paths.Scratch);
        var image = DefaultImage.Create(paths.StateDir);
        var rootfs = RootfsPlanner.Plan(paths, image, bindHostUsr: true, "layers", 64 << 20, 16 << 20);
        var cgroups = CgroupManagerFactory.Detect();

        var rows = new List<LayerRow>();
        var floor = Row(rows, "fork+exec through the launcher (no isolation)", Spawn(binary, NamespaceSet.None, []), null);
        var ns = Row(rows, "+ pid, mount, ipc, uts namespaces", Spawn(binary, Basic, []), floor);
        var net = Row(rows, "+ network namespace", Spawn(binary, Basic | NamespaceSet.Network, []), ns);
        var fs = Row(rows, "+ overlay root, /proc, /dev, /tmp, pivot_root", Spawn(binary, Basic | NamespaceSet.Network, rootfs), net);
        var ids = new UidRangeAllocator();
        var range = ids.Allocate();
        var usernsRootfs = RootfsPlanner.Plan(paths, image, bindHostUsr: true, "layers", 64 << 20, 16 << 20, userNamespace: true);
        var idmappedRootfs = RootfsPlanner.Plan(paths, image, bindHostUsr: true, "layers", 64 << 20, 16 << 20, userNamespace: true, idmappedLowers: true);
        var trees = RootfsPlanner.IdmappedTrees(image, bindHostUsr: true);
        var (plain, idmapped) = Clock.SampleAlternating(n, () => SpawnInUserNamespace(binary, usernsRootfs, range, []),
            () => SpawnInUserNamespace(binary, idmappedRootfs, range, trees));
        var userns = Row(rows, "+ user namespace (id maps written by the parent before any op)", plain, fs);
        Row(rows, "+ idmapped image and /usr (daemon clones, sandbox attaches; /usr an overlay); in turn with the row above", idmapped, userns);
        Row(rows, "+ cgroup join, back to back", SpawnJoined(binary, cgroups, rootfs, 0), fs);
        Row(rows, "+ cgroup join, 100 ms idle", SpawnJoined(binary, cgroups, rootfs, 100), fs);
        Row(rows, "cgroup create + limits + remove", Clock.Sample(n, () =>
            cgroups.Create(CgroupName.For("layers-" + Guid.NewGuid().ToString("N")[..8]), new CgroupLimits(64 << 20, 64)).Dispose()), null);
        Row(rows, "seccomp: compile the default profile (C#)", Clock.Sample(n, () => SeccompCompiler.Compile(BuiltinProfiles.Default)), null);
        return rows;
    }

    private static void SpawnInUserNamespace(InitBinary binary, IReadOnlyList<SetupOp> ops, uint range, IReadOnlyList<string> idmappedTrees) =>
        Reaper.Reap(NativeLauncher.Spawn(
            new LaunchSpec(Basic | NamespaceSet.Network | NamespaceSet.User, ops, ["true"], [])
            { IdMap = UidRangeAllocator.MapFor(range), IdmappedTrees = idmappedTrees },
            binary.Fd, DevNull.Fd));

    private List<double> Spawn(InitBinary binary, NamespaceSet namespaces, IReadOnlyList<SetupOp> ops) =>
        Clock.Sample(n, () => Reaper.Reap(NativeLauncher.Spawn(new LaunchSpec(namespaces, ops, ["true"], []), binary.Fd, DevNull.Fd)));

    private List<double> SpawnJoined(InitBinary binary, ICgroupManager cgroups, IReadOnlyList<SetupOp> rootfs, int idle)
    {
        var samples = new List<double>();
        int count = idle > 0 ? Math.Max(20, n / 4) : n;
        for (int i = 0; i < count + 5; i++)
        {
            if (idle > 0)
                Thread.Sleep(idle);
            using var group = cgroups.Create(CgroupName.For("layers-" + Guid.NewGuid().ToString("N")[..8]), CgroupLimits.None);
            var ops = group.ProcsFiles.Select(f => new SetupOp(SetupOpKind.WriteFile, Src: "0", Dst: f)).Concat(rootfs).ToList();
            var sw = System.Diagnostics.Stopwatch.StartNew();
            Reaper.Reap(NativeLauncher.Spawn(new LaunchSpec(Basic | NamespaceSet.Network, ops, ["true"], []), binary.Fd, DevNull.Fd));
            if (i >= 5)
                samples.Add(sw.Elapsed.TotalMilliseconds);
        }
        return samples;
    }

    private static double Row(List<LayerRow> rows, string name, List<double> samples, double? baseline)
    {
        double p50 = Percentiles.Of(samples, 0.5);
        string versus = baseline is { } b ? $"+{Percentiles.Ms(p50 - b)}" : "—";
        rows.Add(new LayerRow(name, samples.Count, p50, Percentiles.Of(samples, 0.99), versus));
        return p50;
    }
}
