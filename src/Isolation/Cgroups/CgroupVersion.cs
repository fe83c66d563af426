namespace Sandboxd.Isolation.Cgroups;

/// <summary>Which cgroup hierarchy a manager drives.</summary>
public enum CgroupVersion
{
    V1 = 1,
    V2 = 2,
}
