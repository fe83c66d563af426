namespace Sandboxd.Governance.Config;

/// <summary>Names a config may use that other layers define (the sandbox profiles, what an
/// image name looks like), so that a pools: entry naming neither is refused at its line.</summary>
public sealed record ConfigNames(IReadOnlyCollection<string> SandboxProfiles, Func<string, bool> IsImageName);
