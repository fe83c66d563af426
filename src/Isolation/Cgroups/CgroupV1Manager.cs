namespace Sandboxd.Isolation.Cgroups;

/// <summary>Groups in the v1 hierarchies: "sandboxd/&lt;id&gt;" under each controller mount this daemon uses.</summary>
public sealed class CgroupV1Manager : ICgroupManager
{
    /// <summary>Controllers a group joins: the required three, cpuacct for CPU usage, freezer for a race-free
    /// KillAll, blkio for IoWeight. cpuset and devices stay out: cpuset needs cpus/mems written before any
    /// task may join, and device access is the mount namespace's job.</summary>
    private static readonly string[] Used = ["memory", "pids", "cpu", "cpuacct", "freezer", "blkio"];

    private readonly Dictionary<string, string> roots;

    /// <summary>Uses the controller mounts found in /proc/self/mountinfo.</summary>
    public CgroupV1Manager() : this(CgroupMounts.Detect().V1)
    {
    }

    /// <param name="controllerRoots">Controller name → hierarchy mount point, e.g. "memory" →
    /// "/sys/fs/cgroup/memory". Controllers this manager does not use are ignored.</param>
    public CgroupV1Manager(IReadOnlyDictionary<string, string> controllerRoots)
    {
        roots = Used.Where(controllerRoots.ContainsKey).ToDictionary(c => c, c => controllerRoots[c], StringComparer.Ordinal);
    }

    public ICgroup Create(string name, CgroupLimits limits)
    {
        CgroupName.Validate(name);
        limits.Validate();
        var missing = Probe().Missing;
        if (missing.Count > 0)
            throw new CgroupException("cgroup v1", "create", name, $"controllers not mounted: {string.Join(", ", missing)}");
        var group = new CgroupV1(name, DirsFor(name));
        CgroupFs.CreateGroupDirs(group.Dirs, () => group.ApplyLimits(limits));
        return group;
    }

    public ICgroup Open(string name)
    {
        CgroupName.Validate(name);
        var existing = DirsFor(name).Where(kv => Directory.Exists(kv.Value.Path)).ToDictionary(StringComparer.Ordinal);
        if (existing.Count == 0)
            throw new CgroupException("cgroup v1", "open", name, "ENOENT: no such group under any controller");
        return new CgroupV1(name, existing);
    }

    public CgroupSupport Probe()
    {
        var missing = CgroupSupport.Required.Where(c => !roots.ContainsKey(c)).ToList();
        var notes = new List<string>();
        if (roots.TryGetValue("memory", out var memory) && !File.Exists(Path.Combine(memory, "memory.memsw.limit_in_bytes")))
            notes.Add("no memory.memsw (swap accounting off): swap is kept off with memory.swappiness=0 instead");
        if (!roots.ContainsKey("cpuacct"))
            notes.Add("no cpuacct: CPU usage is not reported");
        if (!roots.ContainsKey("freezer"))
            notes.Add("no freezer: KillAll signals in rounds until the group is empty");
        if (!roots.ContainsKey("blkio"))
            notes.Add("no blkio: IoWeight is ignored");
        return new CgroupSupport(CgroupVersion.V1, roots, missing, notes);
    }

    public IEnumerable<string> ListLeftovers() => CgroupFs.ListChildren(roots.Values.Distinct());

    /// <summary>One directory per mount point; co-mounted controllers (cpu,cpuacct) share it and its name.</summary>
    private Dictionary<string, CgroupDir> DirsFor(string name)
    {
        var dirs = new Dictionary<string, CgroupDir>(StringComparer.Ordinal);
        foreach (var (controller, root) in roots)
        {
            var sharing = roots.Where(kv => kv.Value == root).Select(kv => kv.Key);
            dirs[controller] = new CgroupDir($"cgroup v1 {string.Join(',', sharing)}", Path.Combine(root, name));
        }
        return dirs;
    }
}
