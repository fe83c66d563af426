using System.Text.RegularExpressions;
using Sandboxd.Api.V1;
using Sandboxd.Isolation.Filesystem;

namespace Sandboxd.Core.Orchestration;

/// <summary>Small named checks on request fields, each throwing with the field's name.</summary>
public static partial class RequestChecks
{
    public const int MaxArgs = 4096;

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
        if (argv.Count > MaxArgs)
            throw new InvalidFieldException("argv", $"at most {MaxArgs} arguments");
        if (argv[0].Length == 0)
            throw new InvalidFieldException("argv[0]", "must not be empty");
        for (int i = 0; i < argv.Count; i++)
            if (argv[i].Contains('\0', StringComparison.Ordinal))
                throw new InvalidFieldException($"argv[{i}]", "contains NUL");
    }

    public static void Env(IReadOnlyDictionary<string, string> env)
    {
        foreach (var (name, value) in env)
        {
            if (!EnvNamePattern().IsMatch(name))
                throw new InvalidFieldException("env", $"'{Truncate(name)}' is not a variable name");
            if (value.Contains('\0', StringComparison.Ordinal))
                throw new InvalidFieldException($"env[{name}]", "contains NUL");
        }
    }

    public static void Cwd(string cwd)
    {
        if (cwd.Length > 0 && (!cwd.StartsWith('/') || cwd.Contains('\0', StringComparison.Ordinal)))
            throw new InvalidFieldException("cwd", "must be an absolute path inside the sandbox");
    }

    /// <summary>"sandbox" (default), "root", or a numeric uid (gid = uid).</summary>
    public static (uint Uid, uint Gid, string Home) User(string user) => user switch
    {
        "" or SandboxUser.Name => (SandboxUser.Uid, SandboxUser.Gid, SandboxUser.Home),
        "root" => (0, 0, "/root"),
        _ when uint.TryParse(user, out var uid) && uid < 65536 => (uid, uid, "/"),
        _ => throw new InvalidFieldException("user", $"'{Truncate(user)}' is unknown (use sandbox, root or a numeric uid below 65536)"),
    };

    private static string Truncate(string s) => s.Length <= 64 ? s : s[..64] + "…";
}
