using Sandboxd.Governance.Config;
using Sandboxd.Isolation.Images;
using Sandboxd.Isolation.Profiles;

namespace Sandboxd.Core.Hosting;

/// <summary>The names sandboxd.yaml's pools: may use, from the layers that define them.</summary>
public static class DaemonConfigNames
{
    public static ConfigNames Value { get; } = new(BuiltinSandboxProfiles.All.Select(p => p.Name).ToList(), ImageStore.IsValidName);
}
