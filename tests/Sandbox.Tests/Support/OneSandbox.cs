using Sandboxd.Isolation.Cgroups;
using Sandboxd.Isolation.Filesystem;
using Sandboxd.Isolation.Launch;
using Sandboxd.Isolation.Profiles;

namespace Sandboxd.Tests.Support;

/// <summary>A sandbox launched for one test with its own temp state root (no daemon in between),
/// destroyed with everything it made when disposed.</summary>
public sealed class OneSandbox : IDisposable
{
    private readonly TempRoot _temp = new();
    private readonly SandboxLauncher _launcher;

    public OneSandbox(SandboxProfile profile, string hostname = "inside", long? diskBytes = null)
    {
        _launcher = new SandboxLauncher(_temp.StateDir, _temp.RuntimeDir, CgroupManagerFactory.Detect());
        try
        {
            var id = "sbx-one-" + Guid.NewGuid().ToString("N")[..8];
            Sandbox = _launcher.Launch(new SandboxSpec(id, null, hostname, profile, profile.Limits, diskBytes ?? profile.DiskBytes));
        }
        catch
        {
            _launcher.Dispose();
            _temp.Dispose();
            throw;
        }
    }

    public LaunchedSandbox Sandbox { get; }

    public Task<(int Exit, string Output)> RunAsync(uint uid, string script) =>
        Sandbox.RunAsync(uid, uid == 0 ? 0 : SandboxUser.Gid, script, "HOME=/tmp");

    public void Dispose()
    {
        Sandbox.Destroy();
        _launcher.Dispose();
        _temp.Dispose();
    }
}
