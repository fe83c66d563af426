namespace Sandboxd.Core.Orchestration;

/// <summary>What a watcher of one sandbox hears (WatchSandbox). Numbers equal the API's
/// SANDBOX_EVENT_KIND_* ones.</summary>
public enum SandboxWatchKind
{
    /// <summary>The sandbox as it is when the watch starts.</summary>
    Current = 1,
    StateChanged = 2,
    /// <summary>The TTL deadline is less than the daemon's warning time away.</summary>
    TtlWarning = 3,
    /// <summary>The deadline moved.</summary>
    TtlExtended = 4,
}

/// <param name="RemainingMs">TtlWarning and TtlExtended: how long until the deadline, by the daemon's clock.</param>
public sealed record SandboxWatchEvent(SandboxWatchKind Kind, SandboxView Sandbox, long RemainingMs = 0);
