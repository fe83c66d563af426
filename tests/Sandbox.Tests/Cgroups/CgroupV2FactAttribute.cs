using Sandboxd.Isolation.Cgroups;
using Sandboxd.Tests.Support;

namespace Sandboxd.Tests.Cgroups;

/// <summary>A root test that drives the v2 code against this host's cgroup2 mount: where there is
/// none (a v1-only host) it skips and says so, rather than passing without having run.</summary>
public sealed class CgroupV2FactAttribute : RootFactAttribute
{
    public CgroupV2FactAttribute()
    {
        if (Skip is null && CgroupMounts.Detect().V2Root is null)
            Skip = "no cgroup2 mount on this host: the v2 manager has nothing to run against";
    }
}
