using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Sandboxd.Audit.Events;
using Sandboxd.Core.Api;
using Sandboxd.Governance.Config;

namespace Sandboxd.Core.E2b;

/// <summary>Who an E2B call is: X-API-KEY is a bearer token of the config's principals (the same
/// table the gRPC TCP listener reads), or --token-file's token (the admin). With no config file at
/// all (the built-in one: root is the only principal) and the listener on loopback, any key is
/// root, so the SDK works out of the box on a one-user box; anywhere else an unknown key is 401.</summary>
public sealed class E2bCallers(ConfigHolder config, ApiOptions api, bool loopback)
{
    public const string ApiKeyHeader = "X-API-KEY";

    private static readonly Principal TokenFileAdmin =
        new("token-file", "token-file", [Principal.AdminRole], SandboxdConfig.DefaultTenant, [], []);

    /// <summary>The key's principal, or null (401).</summary>
    public Principal? ForKey(string key)
    {
        if (key.Length == 0)
            return null;
        var current = config.Current;
        if (current.ForToken(key) is { } principal)
            return principal;
        if (api.TcpToken is { Length: > 0 } legacy
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(legacy), Encoding.UTF8.GetBytes(key)))
            return TokenFileAdmin;
        if (AnyKeyIsRoot)
            return current.Principals[0];
        return null;
    }

    /// <summary>No config (built-in: root alone) and a loopback listener.</summary>
    public bool AnyKeyIsRoot => loopback && config.Path is null && ReferenceEquals(config.Current, SandboxdConfig.BuiltIn);

    /// <summary>The call's correlation, as the gRPC caller interceptor makes it: the principal's
    /// tenant, "e2b:NAME" as who, the x-request-id / x-trace-id headers or a fresh request id.</summary>
    public static CallCorrelation Correlation(Principal principal, HttpRequest request)
    {
        string tenant = principal.Tenant;
        string requestId = Header(request, CallCorrelation.RequestHeader) ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var audit = new AuditCorrelation(tenant, "e2b:" + principal.Name, requestId, Header(request, CallCorrelation.TraceHeader));
        return new CallCorrelation(tenant, false, null, audit) { Principal = principal };
    }

    private static string? Header(HttpRequest request, string name)
    {
        string value = request.Headers[name].ToString();
        if (value.Length == 0)
            return null;
        return value.Length > 128 ? value[..128] : value;
    }
}
