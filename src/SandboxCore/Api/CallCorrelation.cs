using System.Globalization;
using System.Security.Cryptography;
using Grpc.Core;
using Sandboxd.Audit.Events;
using Sandboxd.Audit.Query;
using Sandboxd.Governance.Config;

namespace Sandboxd.Core.Api;

/// <summary>Who is calling, for the audit record and for tenant isolation of audit queries. Made
/// once per call by <see cref="Interceptors.CallerInterceptor"/>, which also sets it as the ambient
/// value for the events the call causes several awaits down.</summary>
public sealed record CallCorrelation(string Tenant, bool TenantFromHeader, int? PeerUid, AuditCorrelation Audit)
{
    /// <summary>The config's principal the call was authenticated as; null only for calls made
    /// without the caller interceptor (never over the API).</summary>
    public Principal? Principal { get; init; }

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

    /// <summary>An admin that names no tenant is the operator (sees every tenant); an admin with
    /// an x-tenant header acts as that tenant; everyone else is their principal's tenant, whatever
    /// header they send.</summary>
    public AuditCaller Caller => Principal is { IsAdmin: true } && !TenantFromHeader ? AuditCaller.Operator : AuditCaller.ForTenant(Tenant);

    /// <param name="peerUid">The caller's uid on the Unix socket (SO_PEERCRED); null on TCP.</param>
    public static CallCorrelation From(Metadata headers, int? peerUid, Principal principal)
    {
        string? header = principal.IsAdmin ? Header(headers, TenantHeader) : null;
        string tenant = header ?? principal.Tenant;
        string who = peerUid is { } u ? "uid:" + u.ToString(CultureInfo.InvariantCulture) : "token:" + principal.Name;
        string request = Header(headers, RequestHeader) ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var audit = new AuditCorrelation(tenant, who, request, Header(headers, TraceHeader));
        return new CallCorrelation(tenant, header is not null, peerUid, audit) { Principal = principal };
    }

    private static string? Header(Metadata headers, string name)
    {
        string? value = headers.GetValue(name);
        if (string.IsNullOrEmpty(value))
            return null;
        return value.Length > MaxHeaderLength ? value[..MaxHeaderLength] : value;
    }
}
