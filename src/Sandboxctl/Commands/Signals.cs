namespace Sandboxd.Ctl.Commands;

/// <summary>Signal names as kill(1) takes them: a number, TERM or SIGTERM.</summary>
internal static class Signals
{
    private static readonly Dictionary<string, int> Numbers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["HUP"] = 1, ["INT"] = 2, ["QUIT"] = 3, ["KILL"] = 9, ["USR1"] = 10, ["USR2"] = 12, ["PIPE"] = 13,
        ["ALRM"] = 14, ["TERM"] = 15, ["CONT"] = 18, ["STOP"] = 19, ["TSTP"] = 20, ["WINCH"] = 28,
    };

    public static int Parse(string text)
    {
        if (int.TryParse(text, out var n) && n is >= 1 and <= 64)
            return n;
        var name = text.StartsWith("SIG", StringComparison.OrdinalIgnoreCase) ? text[3..] : text;
        return Numbers.TryGetValue(name, out var s) ? s : throw new ArgumentException($"signal '{text}': expected a number 1-64 or a name like TERM");
    }
}
