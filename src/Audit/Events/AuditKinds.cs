namespace Sandboxd.Audit.Events;

/// <summary>Facts about kinds that the pipeline acts on.</summary>
public static class AuditKinds
{
    /// <summary>Denials and governance steps skip the batch window: they are what an auditor asks
    /// for first, so they must not sit in memory waiting for a batch to fill.</summary>
    public static bool IsSensitive(AuditKind kind) => kind switch
    {
        AuditKind.SyscallDenied or AuditKind.NetworkDenied => true,
        >= AuditKind.GovernanceProposed and <= AuditKind.GovernanceApprovalUsed => true,
        _ => false,
    };

    public static bool IsSensitive(AuditEvent ev) => IsSensitive(ev.Kind) || ev.Risk >= AuditRisk.High;
}
