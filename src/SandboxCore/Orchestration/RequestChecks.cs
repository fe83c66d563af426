using System.Text.RegularExpressions;
using Sandboxd.Isolation.Filesystem;

namespace Sandboxd.Core.Orchestration;

/// <summary>Small named checks on request fields, each throwing with the field's name.</summary>
public static partial class RequestChecks
{
    /// <summary>init's table holds 4,096 pointers for argv and envp together, each list ending
    /// in NULL (native/init.c MAX_ARGS): so argc + envc ≤ 4,094, checked here once, with the
    /// environment the daemon adds counted in.</summary>
    public const int MaxArgsAndEnv = 4096 - 2;

    /// <summary>The longest timer .NET can arm (uint.MaxValue − 1 ms, about 49.7 days).</summary>
    public const uint MaxTimeoutMs = uint.MaxValue - 1;

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9.-]{0,62})$")]
    private static partial Regex HostnamePattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvNamePattern();

    public static void SandboxId(string field, string id)
    {
        if (string.IsNullOrEmpty(id))
            throw new InvalidFieldException(field, "must not be empty");
        if (!IdPattern().IsMatch(id))
            throw new InvalidFieldException(field, $"'{Truncate(id)}' is not a sandbox id");
    }

    /// <summary>An image is an unpacked rootfs directory; its path goes into overlayfs options,
    /// where ',' and ':' are separators.</summary>
    public static string? Image(string image)
    {
        if (string.IsNullOrEmpty(image))
            return null;
        if (!Path.IsPathRooted(image))
            throw new InvalidFieldException("image", $"'{Truncate(image)}' must be an absolute path");
        if (image.IndexOfAny([',', ':', '\\', '\0']) >= 0)
            throw new InvalidFieldException("image", "the path may not contain ',', ':', '\\' or NUL");
        if (!Directory.Exists(image))
            throw new InvalidFieldException("image", $"{Truncate(image)}: no such directory");
        return Path.GetFullPath(image);
    }

    public static string Hostname(string hostname, string fallback)
    {
        if (string.IsNullOrEmpty(hostname))
            return fallback;
        if (!HostnamePattern().IsMatch(hostname))
            throw new InvalidFieldException("hostname", "letters, digits, '.' and '-', at most 63");
        return hostname;
    }

    public static void Argv(IReadOnlyList<string> argv)
    {
        if (argv.Count == 0)
            throw new InvalidFieldException("argv", "must not be empty");
        if (argv.Count > MaxArgsAndEnv)
            throw new InvalidFieldException("argv", $"at most {MaxArgsAndEnv} arguments");
        if (argv[0].Length == 0)
            throw new InvalidFieldException("argv[0]", "must not be empty");
        for (int i = 0; i < argv.Count; i++)
            Text($"argv[{i}]", argv[i]);
    }

    public static void Env(IReadOnlyDictionary<string, string> env)
    {
        foreach (var (name, value) in env)
        {
            if (!EnvNamePattern().IsMatch(name))
                throw new InvalidFieldException("env", $"'{Truncate(name)}' is not a variable name");
            Text($"env[{name}]", value);
        }
    }

    /// <summary>argv and the final environment (defaults and proxy variables included) fit init's table.</summary>
    public static void ArgsAndEnvCount(int argc, int envc)
    {
        if (argc + envc > MaxArgsAndEnv)
            throw new InvalidFieldException("argv", $"{argc} arguments and {envc} environment variables; at most {MaxArgsAndEnv} together");
    }

    public static void Cwd(string cwd)
    {
        if (cwd.Length > 0 && (!cwd.StartsWith('/') || cwd.Contains('\0', StringComparison.Ordinal)))
            throw new InvalidFieldException("cwd", "must be an absolute path inside the sandbox");
        Text("cwd", cwd);
    }

    /// <summary>0 is no timeout of the command's own.</summary>
    public static TimeSpan? Timeout(uint timeoutMs) => timeoutMs switch
    {
        0 => null,
        > MaxTimeoutMs => throw new InvalidFieldException("timeout_ms",
            $"{timeoutMs} is beyond the longest timeout, {MaxTimeoutMs} ms (about 49.7 days); 0 means none"),
        _ => TimeSpan.FromMilliseconds(timeoutMs),
    };

    /// <summary>Bytes that are not UTF-8 never get here: the parser refuses the message and
    /// Api.Binding names the field.</summary>
    private static void Text(string field, string value)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
            throw new InvalidFieldException(field, "contains NUL");
    }

    /// <summary>"user" (default; "sandbox", its former name, too), "root", or a numeric uid (gid = uid).</summary>
    public static (uint Uid, uint Gid, string Home) User(string user) => user switch
    {
        "" or SandboxUser.Name or SandboxUser.FormerName => (SandboxUser.Uid, SandboxUser.Gid, SandboxUser.Home),
        "root" => (0, 0, "/root"),
        _ when uint.TryParse(user, out var uid) && uid < 65536 => (uid, uid, "/"),
        _ => throw new InvalidFieldException("user", $"'{Truncate(user)}' is unknown (use user, root or a numeric uid below 65536)"),
    };

    private static string Truncate(string s) => s.Length <= 64 ? s : s[..64] + "…";
}
