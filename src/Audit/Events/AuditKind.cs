namespace Sandboxd.Audit.Events;

/// <summary>Persisted and sent on the wire: numbers are frozen, only add.</summary>
public enum AuditKind
{
    Unspecified = 0,
    DaemonStarted = 1,
    DaemonStopping = 2,
    SandboxCreated = 10,
    SandboxCreateFailed = 11,
    SandboxDestroyed = 12,
    SandboxFailed = 13,
    ExecutionStarted = 20,
    ExecutionFinished = 21,
    ExecutionFailedToStart = 22,
}
