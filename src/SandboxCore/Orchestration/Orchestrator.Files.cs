using Sandboxd.Isolation.Filesystem;

namespace Sandboxd.Core.Orchestration;

/// <summary>The file API's way in: the same lookup of live sandboxes the other calls use.</summary>
public sealed partial class Orchestrator
{
    /// <summary>The sandbox's files as user ("user", "root" or a numeric uid); NOT_FOUND for
    /// a sandbox this daemon does not run or the caller's tenant cannot see. Dispose the handle after the call.</summary>
    public SandboxFiles OpenFiles(string sandboxId, string user, out LiveSandbox live)
    {
        RequestChecks.SandboxId("sandbox_id", sandboxId);
        var (uid, gid, _) = RequestChecks.User(user);
        // The file calls are synchronous; only a sandbox stopped for being idle waits here, for its resume.
        if (!_live.ContainsKey(sandboxId))
            AwakeAsync("sandbox_id", sandboxId).GetAwaiter().GetResult();
        var found = Running("sandbox_id", sandboxId);
        live = found;
        NoteActivity(found);
        return SandboxFiles.Open(found.Launched, uid, gid);
    }
}
