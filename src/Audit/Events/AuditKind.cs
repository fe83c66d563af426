namespace Sandboxd.Audit.Events;

/// <summary>Persisted and sent on the wire: numbers are frozen, only add (a golden test holds them).
/// Decades group the sources so a range filter can select one source.</summary>
public enum AuditKind
{
    Unspecified = 0,
    DaemonStarted = 1,
    DaemonStopping = 2,
    DaemonConfigLoaded = 3,
    SandboxCreated = 10,
    SandboxCreateFailed = 11,
    SandboxDestroyed = 12,
    SandboxFailed = 13,
    SandboxStarted = 14,
    SandboxStopped = 15,
    /// <summary>Every lifecycle transition: attributes from, to and cause.</summary>
    SandboxStateChanged = 16,
    ExecutionStarted = 20,
    ExecutionFinished = 21,
    ExecutionFailedToStart = 22,
    SyscallExec = 30,
    SyscallConnect = 31,
    SyscallDenied = 32,
    SyscallLogged = 33,
    FileCreated = 40,
    FileModified = 41,
    FileDeleted = 42,
    /// <summary>An execution's file changes beyond the per-execution cap, or a walk cut short by its limits.</summary>
    FileEventsOmitted = 43,
    NetworkAllowed = 50,
    NetworkDenied = 51,
    NetworkClosed = 52,
    ResourceOomKilled = 60,
    ResourcePidsLimit = 61,
    GovernanceProposed = 70,
    GovernanceVoted = 71,
    GovernanceApproved = 72,
    GovernanceRejected = 73,
    GovernanceExpired = 74,
    /// <summary>An approved proposal's one use: the sandbox it approved is being created.</summary>
    GovernanceApprovalUsed = 75,
}
