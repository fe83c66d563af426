namespace Sandboxd.Isolation.Seccomp;

/// <summary>The errno names a profile file may use instead of numbers (x86_64 Linux values).</summary>
internal static class ErrnoNames
{
    private static readonly Dictionary<string, int> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["EPERM"] = 1,
        ["ENOENT"] = 2,
        ["EIO"] = 5,
        ["EBADF"] = 9,
        ["EAGAIN"] = 11,
        ["ENOMEM"] = 12,
        ["EACCES"] = 13,
        ["EFAULT"] = 14,
        ["EBUSY"] = 16,
        ["EINVAL"] = 22,
        ["ENOSYS"] = 38,
        ["EOPNOTSUPP"] = 95,
        ["EAFNOSUPPORT"] = 97,
    };

    public static int Parse(string text, string where)
    {
        if (ByName.TryGetValue(text, out var number))
            return number;
        if (int.TryParse(text, out number))
            return number;
        throw new SeccompCompileException($"{where}: unknown errno '{text}' (use a number or one of {string.Join(", ", ByName.Keys)})");
    }

    public static string Format(int number)
    {
        foreach (var (name, value) in ByName)
        {
            if (value == number)
                return name;
        }

        return number.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
