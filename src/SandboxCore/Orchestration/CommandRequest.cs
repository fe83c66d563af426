namespace Sandboxd.Core.Orchestration;

/// <summary>One command to run in a sandbox and wait for (Execute), as asked: the orchestrator
/// checks each field, naming it as the API does.</summary>
public sealed record CommandRequest(string SandboxId, IReadOnlyList<string> Argv)
{
    /// <summary>Only these (plus PATH, HOME, LANG defaults) reach the command.</summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    /// <summary>Empty = the user's home.</summary>
    public string Cwd { get; init; } = "";

    /// <summary>"user" (default), "root" or a numeric uid.</summary>
    public string User { get; init; } = "";

    public ReadOnlyMemory<byte> Stdin { get; init; }

    /// <summary>0 = no timeout of its own.</summary>
    public uint TimeoutMs { get; init; }
}
