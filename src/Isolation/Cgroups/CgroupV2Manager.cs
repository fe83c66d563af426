namespace Sandboxd.Isolation.Cgroups;

/// <summary>Groups in the v2 unified hierarchy: "sandboxd/&lt;id&gt;" under the root, with the controllers
/// enabled down the path through cgroup.subtree_control.</summary>
public sealed class CgroupV2Manager : ICgroupManager
{
    private const string Context = "cgroup v2";

    /// <summary>Controllers enabled for sandbox groups where the root offers them; io is optional.</summary>
    private static readonly string[] Wanted = ["memory", "pids", "cpu", "io"];

    private readonly string root;

    /// <summary>Uses the cgroup2 mount found in /proc/self/mountinfo.</summary>
    public CgroupV2Manager() : this(CgroupMounts.Detect().V2Root
        ?? throw new CgroupException(Context, "detect", CgroupMounts.MountInfoPath, "no cgroup2 mount"))
    {
    }

    /// <param name="root">The cgroup2 directory groups are made under, e.g. "/sys/fs/cgroup".</param>
    public CgroupV2Manager(string root)
    {
        this.root = root;
    }

    public ICgroup Create(string name, CgroupLimits limits)
    {
        CgroupName.Validate(name);
        limits.Validate();
        var dir = new CgroupDir(Context, Path.Combine(root, name));
        var group = new CgroupV2(name, dir);
        CgroupFs.CreateGroupDirs(group.Dirs, () =>
        {
            EnableControllers();
            group.ApplyLimits(limits);
        });
        return group;
    }

    public ICgroup Open(string name)
    {
        CgroupName.Validate(name);
        var dir = new CgroupDir(Context, Path.Combine(root, name));
        if (!Directory.Exists(dir.Path))
            throw new CgroupException(Context, "open", dir.Path, "ENOENT: no such group");
        return new CgroupV2(name, dir);
    }

    public CgroupSupport Probe()
    {
        var available = Available();
        var controllers = Wanted.Where(available.Contains).ToDictionary(c => c, _ => root, StringComparer.Ordinal);
        var missing = CgroupSupport.Required.Where(c => !available.Contains(c)).ToList();
        var notes = new List<string>();
        if (!available.Contains("io"))
            notes.Add("no io controller: IoWeight is ignored");
        return new CgroupSupport(CgroupVersion.V2, controllers, missing, notes);
    }

    public IEnumerable<string> ListLeftovers() => CgroupFs.ListChildren([root]);

    /// <summary>Controllers the root offers to its children (cgroup.controllers); on a hybrid host the
    /// ones v1 has taken are absent.</summary>
    private HashSet<string> Available()
    {
        var text = CgroupFs.TryRead(new CgroupDir(Context, root), "cgroup.controllers") ?? "";
        return new HashSet<string>(text.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
    }

    /// <summary>A controller's files appear in a group only when every ancestor lists it in
    /// cgroup.subtree_control. Writing "+x" where it is already enabled is a no-op, so this runs per create.</summary>
    private void EnableControllers()
    {
        var available = Available();
        var levels = new[] { new CgroupDir(Context, root), new CgroupDir(Context, Path.Combine(root, CgroupName.Parent)) };
        foreach (var controller in Wanted.Where(available.Contains))
        {
            foreach (var level in levels)
                CgroupFs.Write(level, "cgroup.subtree_control", $"+{controller}");
        }
    }
}
