namespace Sandboxd.Isolation.Launch;

/// <summary>A command as init runs it: the final environment (nothing is added inside), the
/// working directory and the identity it runs as.</summary>
public sealed record ExecSpec(IReadOnlyList<string> Argv, IReadOnlyList<string> Env, string Cwd, uint Uid, uint Gid);
