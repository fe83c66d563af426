using Sandboxd.Isolation.Cgroups;

namespace Sandboxd.Tests.Cgroups;

/// <summary>Names and polling shared by the cgroup tests.</summary>
internal static class TestCgroups
{
    /// <summary>Unique per test, so runs never collide and a leftover is recognisably a test's.</summary>
    public static string NewName() => $"{CgroupName.Parent}/test-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>The directories a group has on this host, from the manager's own description of it.</summary>
    public static IEnumerable<string> DirsOf(ICgroupManager manager, string name) =>
        manager.Probe().Controllers.Values.Distinct().Select(root => Path.Combine(root, name));

    /// <summary>The hierarchy the daemon drives: it picks it with this same call at start.</summary>
    public static ICgroupManager DaemonManager() => CgroupManagerFactory.Detect();

    /// <summary>A sandbox's group directories in the daemon's hierarchy (one on v2, one per controller on v1).</summary>
    public static IReadOnlyList<string> DaemonDirsOf(string sandboxId) =>
        DirsOf(DaemonManager(), CgroupName.For(sandboxId)).ToList();

    /// <summary>Ids of the sandboxes with a group in any directory of the daemon's hierarchy, read from cgroupfs.</summary>
    public static HashSet<string> DaemonGroupIds() =>
        DirsOf(DaemonManager(), CgroupName.Parent)
            .Where(Directory.Exists)
            .SelectMany(Directory.GetDirectories)
            .Select(Path.GetFileName)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);

    public static bool Poll(Func<bool> done, TimeSpan timeout) => SpinWait.SpinUntil(done, timeout);
}
