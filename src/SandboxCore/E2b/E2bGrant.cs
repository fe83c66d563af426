using Sandboxd.Governance.Config;

namespace Sandboxd.Core.E2b;

/// <summary>What the E2B listener handed out for one sandbox: the envd access token its SDK sends
/// as X-Access-Token, the principal whose sandbox it is (envd calls act as them), and the
/// create's envVars, every process's environment.</summary>
public sealed record E2bGrant(string SandboxId, string AccessToken, Principal Owner, IReadOnlyDictionary<string, string> Env)
{
    /// <summary>The templateID the create named ("base" when none), as the API shows it back.</summary>
    public string? Template { get; init; }
}
