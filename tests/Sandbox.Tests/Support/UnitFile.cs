namespace Sandboxd.Tests.Support;

/// <summary>A systemd unit file's settings by section and key (comments and blank lines skipped;
/// a key set twice keeps both values, as systemd's list settings do).</summary>
public sealed class UnitFile
{
    private readonly List<(string Section, string Key, string Value)> _settings = [];

    public UnitFile(string text)
    {
        string section = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
                continue;
            if (line[0] == '[')
            {
                section = line.Trim('[', ']');
                continue;
            }
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                throw new FormatException($"not KEY=VALUE: '{line}'");
            _settings.Add((section, line[..eq].Trim(), line[(eq + 1)..].Trim()));
        }
    }

    public static UnitFile Load(string path) => new(File.ReadAllText(path));

    public IReadOnlyList<string> All(string section, string key) =>
        _settings.Where(s => s.Section == section && s.Key == key).Select(s => s.Value).ToList();

    public string? Get(string section, string key) => All(section, key) is { Count: > 0 } values ? values[^1] : null;

    public string Service(string key) => Get("Service", key) ?? throw new KeyNotFoundException($"[Service] {key} is not set");

    /// <summary>A command line split on blanks (the unit's command lines quote nothing).</summary>
    public static string[] Words(string commandLine) => commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
