using Sandboxd.Isolation.Namespaces;

namespace Sandboxd.Isolation.Launch;

/// <summary>Everything native code needs to start a sandbox's init: decided here, applied there.</summary>
public sealed record LaunchSpec(
    NamespaceSet Namespaces,
    IReadOnlyList<SetupOp> Ops,
    IReadOnlyList<string> Argv,
    IReadOnlyList<string> Env);
