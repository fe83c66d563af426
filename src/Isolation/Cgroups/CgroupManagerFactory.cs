namespace Sandboxd.Isolation.Cgroups;

/// <summary>Picks the hierarchy for this host: v2 when its root offers memory, pids and cpu, else v1
/// when those are mounted there. A hybrid host (v1 controllers plus an empty v2) gets v1.</summary>
public static class CgroupManagerFactory
{
    public static ICgroupManager Detect(string mountInfoPath = CgroupMounts.MountInfoPath) =>
        Choose(CgroupMounts.Detect(mountInfoPath), mountInfoPath);

    public static ICgroupManager Choose(CgroupMounts mounts, string source = CgroupMounts.MountInfoPath)
    {
        string v2Reason;
        if (mounts.V2Root is { } v2Root)
        {
            var v2 = new CgroupV2Manager(v2Root);
            var support = v2.Probe();
            if (support.IsUsable)
                return v2;
            v2Reason = $"v2 at {v2Root} lacks {string.Join(", ", support.Missing)}";
        }
        else
        {
            v2Reason = "no cgroup2 mount";
        }

        var v1 = new CgroupV1Manager(mounts.V1);
        var v1Support = v1.Probe();
        if (v1Support.IsUsable)
            return v1;
        throw new CgroupException("cgroup", "detect", source,
            $"no usable hierarchy: {v2Reason}; v1 lacks {string.Join(", ", v1Support.Missing)}");
    }
}
