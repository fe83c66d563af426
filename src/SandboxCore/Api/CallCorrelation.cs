using System.Globalization;
using System.Security.Cryptography;
using Sandboxd.Audit.Events;
using Sandboxd.Audit.Query;
using Sandboxd.Core.Api.Grpc;

namespace Sandboxd.Core.Api;

/// <summary>Who is calling, for the audit record and for tenant isolation of audit queries. Set
/// once per call by the dispatcher in an AsyncLocal, so every event the call causes (including
/// the orchestrator's, several awaits down) carries it without threading it through each layer.</summary>
public sealed record CallCorrelation(string Tenant, bool TenantFromHeader, int? PeerUid, AuditCorrelation Audit)
{
    public const string TenantHeader = "x-tenant";
    public const string TraceHeader = "x-trace-id";
    public const string RequestHeader = "x-request-id";
    public const string DefaultTenant = "default";

    // Header values are stored with every event: cut them so a client cannot bloat the record.
    private const int MaxHeaderLength = 128;

    private static readonly AsyncLocal<CallCorrelation?> CurrentCall = new();

    /// <summary>The call this code runs on behalf of; null outside a gRPC call (startup, timers).</summary>
    public static CallCorrelation? Current
    {
        get => CurrentCall.Value;
        set => CurrentCall.Value = value;
    }

    /// <summary>Root on the Unix socket that names no tenant is the operator; everyone else is a
    /// tenant ("default" when no header says otherwise).</summary>
    public AuditCaller Caller => !TenantFromHeader && PeerUid == 0 ? AuditCaller.Operator : AuditCaller.ForTenant(Tenant);

    public static CallCorrelation From(GrpcCallContext context)
    {
        string? tenant = Header(context, TenantHeader);
        int? uid = context.PeerUid;
        string principal = uid is { } u ? "uid:" + u.ToString(CultureInfo.InvariantCulture) : "tcp";
        string request = Header(context, RequestHeader) ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var audit = new AuditCorrelation(tenant ?? DefaultTenant, principal, request, Header(context, TraceHeader));
        return new CallCorrelation(tenant ?? DefaultTenant, tenant is not null, uid, audit);
    }

    private static string? Header(GrpcCallContext context, string name)
    {
        string value = context.RequestHeaders[name].ToString();
        if (value.Length == 0)
            return null;
        return value.Length > MaxHeaderLength ? value[..MaxHeaderLength] : value;
    }
}
