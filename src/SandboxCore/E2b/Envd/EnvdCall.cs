using System.Text;
using Microsoft.AspNetCore.Http;
using Sandboxd.Core.Orchestration;

namespace Sandboxd.Core.E2b.Envd;

/// <summary>One envd call, resolved: the sandbox (E2b-Sandbox-Id, proven by X-Access-Token or a
/// signed URL) and the user it acts as.</summary>
public sealed record EnvdCall(E2bGrant Grant)
{
    public const string SandboxIdHeader = "E2b-Sandbox-Id";
    public const string AccessTokenHeader = "X-Access-Token";

    private const string ItemKey = "sandboxd.e2b.envd";

    public string SandboxId => Grant.SandboxId;

    public static EnvdCall Of(HttpContext context) => (EnvdCall)context.Items[ItemKey]!;

    internal void Attach(HttpContext context) => context.Items[ItemKey] = this;

    /// <summary>The user of an RPC: Authorization: Basic base64("name:"); none = E2B's default.</summary>
    public static string UserOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string Basic = "Basic ";
        if (!header.StartsWith(Basic, StringComparison.OrdinalIgnoreCase))
            return SandboxUser("");
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[Basic.Length..].Trim()));
        }
        catch (FormatException)
        {
            throw new InvalidFieldException("authorization", "Basic credentials are not base64");
        }
        int colon = decoded.IndexOf(':', StringComparison.Ordinal);
        return SandboxUser(colon >= 0 ? decoded[..colon] : decoded);
    }

    /// <summary>E2B's users onto sandboxd's: its default "user" is sandboxd's unprivileged "user"
    /// (home /home/user); "root" is root; a numeric uid passes as it is.</summary>
    public static string SandboxUser(string e2bUser) => e2bUser switch
    {
        "" or "user" => Isolation.Filesystem.SandboxUser.Name,
        _ => e2bUser,
    };

    /// <summary>A path as envd takes it: relative ones are under the user's home.</summary>
    public static string Absolute(string path, string user)
    {
        if (path.StartsWith('/'))
            return path;
        var home = RequestChecks.User(user).Home;
        if (path.Length == 0 || path == ".")
            return home;
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
            path = path.Length <= 2 ? "" : path[2..];
        return path.Length == 0 ? home : home.TrimEnd('/') + "/" + path;
    }
}
