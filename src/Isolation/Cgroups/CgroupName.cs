using System.Text.RegularExpressions;

namespace Sandboxd.Isolation.Cgroups;

/// <summary>Group names are "sandboxd/&lt;sandbox-id&gt;". Checking the shape here is what keeps the
/// daemon from ever touching a cgroup it did not make (or escaping the hierarchy with "..").</summary>
public static partial class CgroupName
{
    /// <summary>The one parent directory every sandbox group lives under, in each hierarchy.</summary>
    public const string Parent = "sandboxd";

    /// <summary>"sandboxd/" + id.</summary>
    public static string For(string sandboxId)
    {
        var name = $"{Parent}/{sandboxId}";
        Validate(name);
        return name;
    }

    /// <summary>Throws ArgumentException unless the name is "sandboxd/" followed by one safe path segment.</summary>
    public static void Validate(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!Shape().IsMatch(name))
            throw new ArgumentException(
                $"cgroup name \"{name}\" must be \"{Parent}/<id>\" with an id of letters, digits, '.', '_' or '-' (at most 64)",
                nameof(name));
    }

    [GeneratedRegex(@"^sandboxd/(?!\.{1,2}$)[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex Shape();
}
