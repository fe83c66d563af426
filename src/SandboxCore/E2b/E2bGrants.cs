using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Sandboxd.Governance.Config;

namespace Sandboxd.Core.E2b;

/// <summary>The access tokens of the sandboxes reached through E2B's API, in this daemon's
/// memory: a restarted daemon has none, and the SDK's connect (which a stopped sandbox needs
/// anyway) issues a new one.</summary>
public sealed class E2bGrants
{
    private readonly ConcurrentDictionary<string, E2bGrant> _byId = new(StringComparer.Ordinal);

    /// <summary>The sandbox's grant, made on first use (create, or a connect to a sandbox made
    /// over gRPC or before a restart). A connect keeps the token and the environment.</summary>
    public E2bGrant Issue(string sandboxId, Principal owner, IReadOnlyDictionary<string, string>? env = null, string? template = null) =>
        _byId.GetOrAdd(sandboxId, id => new E2bGrant(id, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)), owner,
            env ?? new Dictionary<string, string>()) { Template = template });

    public E2bGrant? Find(string sandboxId) => _byId.TryGetValue(sandboxId, out var grant) ? grant : null;

    public void Forget(string sandboxId) => _byId.TryRemove(sandboxId, out _);

    /// <summary>The presented token is the grant's, compared in constant time.</summary>
    public static bool TokenMatches(E2bGrant grant, string presented) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(grant.AccessToken), Encoding.UTF8.GetBytes(presented));

    /// <summary>The grant whose token signed this file URL: the SDK's uploadUrl/downloadUrl carry
    /// no sandbox id, only "v1_" + base64(SHA-256("path:operation:user:token[:expiration]")),
    /// so the signature itself names the sandbox. Null when none matches or it expired.</summary>
    public E2bGrant? BySignature(string path, string operation, string user, string signature, long? expiresUnix, long nowUnix)
    {
        if (expiresUnix is { } expires && expires < nowUnix)
            return null;
        var presented = Encoding.ASCII.GetBytes(signature);
        foreach (var grant in _byId.Values)
        {
            if (CryptographicOperations.FixedTimeEquals(presented, Encoding.ASCII.GetBytes(Signature(grant, path, operation, user, expiresUnix))))
                return grant;
        }
        return null;
    }

    public static string Signature(E2bGrant grant, string path, string operation, string user, long? expiresUnix)
    {
        var raw = expiresUnix is { } e
            ? $"{path}:{operation}:{user}:{grant.AccessToken}:{e.ToString(System.Globalization.CultureInfo.InvariantCulture)}"
            : $"{path}:{operation}:{user}:{grant.AccessToken}";
        return "v1_" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(raw))).TrimEnd('=');
    }
}
