using Sandboxd.Isolation.Filesystem;

namespace Sandboxd.Core.Orchestration;

/// <summary>The file API's way in: the same lookup of live sandboxes the other calls use.</summary>
public sealed partial class Orchestrator
{
    /// <summary>The sandbox's files as user ("sandbox", "root" or a numeric uid); NOT_FOUND for
    /// a sandbox this daemon does not run or the caller's tenant cannot see. Dispose the handle after the call.</summary>
    public SandboxFiles OpenFiles(string sandboxId, string user, out LiveSandbox live)
    {
        RequestChecks.SandboxId("sandbox_id", sandboxId);
        var (uid, gid, _) = RequestChecks.User(user);
        var found = VisibleLive(sandboxId);
        live = found;
        NoteActivity(found);
        return SandboxFiles.Open(found.Launched, uid, gid);
    }

    /// <summary>Called on every file API call (and each chunk of a long transfer is not a new
    /// call): the hook for idle auto-stop's "last activity".</summary>
#pragma warning disable CA1822 // the lifecycle work fills it in
    internal void NoteActivity(LiveSandbox live) => _ = live;
#pragma warning restore CA1822
}
