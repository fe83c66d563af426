namespace Sandboxd.Core.Orchestration;

/// <summary>A command's environment: fixed defaults, then the sandbox's proxy variables, then what
/// the request names. Nothing of the daemon's own environment leaks in.</summary>
public static class CommandEnvironment
{
    private const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <param name="proxy">The egress proxy variables, or null without a network. They are a
    /// convenience, not the fence (the firewall is), so the request may override them.</param>
    public static List<string> Build(string home, IReadOnlyDictionary<string, string>? proxy, IReadOnlyDictionary<string, string> request)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = DefaultPath, ["HOME"] = home, ["LANG"] = "C.UTF-8",
        };
        foreach (var (k, v) in proxy ?? new Dictionary<string, string>())
            env[k] = v;
        foreach (var (k, v) in request)
            env[k] = v;
        return env.Select(kv => $"{kv.Key}={kv.Value}").ToList();
    }
}
