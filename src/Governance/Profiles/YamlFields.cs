using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Sandboxd.Governance.Profiles;

/// <summary>Typed reads from one YAML mapping that remember where each key was, so every error
/// names the file, the dotted key and its line; keys nobody read are errors too (a typo is not silence).</summary>
internal sealed class YamlFields
{
    private readonly string _file;
    private readonly string _prefix;
    private readonly YamlMappingNode _node;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public YamlFields(string file, YamlNode node, string prefix)
    {
        _file = file;
        _prefix = prefix;
        _node = node as YamlMappingNode ?? throw Error(node, prefix, "expected a mapping of keys");
    }

    public string FileName => _file;

    /// <summary>A key that should be here and is not: the error points at the mapping.</summary>
    public ProfileFileException Missing(string key, string problem) => new(_file, Key(key), _node.Start.Line, problem);

    public ProfileFileException Error(YamlNode node, string key, string problem) => new(_file, key, node.Start.Line, problem);

    public string Key(string key) => _prefix.Length == 0 ? key : _prefix + "." + key;

    public YamlNode? Node(string key)
    {
        _read.Add(key);
        return _node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;
    }

    public IEnumerable<(string Key, YamlNode Value)> Entries()
    {
        foreach (var (key, value) in _node.Children)
        {
            var name = Scalar(key, _prefix);
            _read.Add(name);
            yield return (name, value);
        }
    }

    public string? String(string key) => Node(key) is { } node ? Scalar(node, Key(key)) : null;

    public bool? Bool(string key) => Node(key) is not { } node ? null
        : Scalar(node, Key(key)) switch
        {
            "true" => true,
            "false" => false,
            var text => throw Error(node, Key(key), $"'{text}' is not true or false"),
        };

    public T? Enum<T>(string key) where T : struct, Enum
    {
        if (Node(key) is not { } node)
            return null;
        var text = Scalar(node, Key(key));
        return System.Enum.GetNames<T>().FirstOrDefault(n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase)) is { } name
            ? System.Enum.Parse<T>(name)
            : throw Error(node, Key(key), $"unknown value '{text}' (one of {string.Join(", ", System.Enum.GetNames<T>().Select(Camel))})");
    }

    /// <summary>"512M", "1G", "256MiB" or a number of bytes.</summary>
    public long? Bytes(string key)
    {
        if (Node(key) is not { } node)
            return null;
        var text = Scalar(node, Key(key)).Trim();
        var digits = text.TrimEnd('B', 'i', 'b');
        var (number, unit) = digits.Length > 0 && char.IsAsciiLetter(digits[^1]) ? (digits[..^1], char.ToUpperInvariant(digits[^1])) : (digits, ' ');
        long scale = unit switch { ' ' => 1, 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, 'T' => 1L << 40, _ => 0 };
        if (scale == 0 || !long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0 || value > long.MaxValue / scale)
            throw Error(node, Key(key), $"'{text}' is not a size (e.g. 512M, 1G or a number of bytes)");
        return value * scale;
    }

    /// <summary>"30s", "2m", "1h", "7d" or a number of seconds.</summary>
    public TimeSpan? Duration(string key)
    {
        if (Node(key) is not { } node)
            return null;
        var text = Scalar(node, Key(key)).Trim();
        var (number, unit) = text.Length > 0 && char.IsAsciiLetter(text[^1]) ? (text[..^1], text[^1]) : (text, 's');
        var scale = unit switch { 's' => 1, 'm' => 60, 'h' => 3600, 'd' => 86400, _ => 0 };
        if (scale == 0 || !int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0)
            throw Error(node, Key(key), $"'{text}' is not a duration (e.g. 30s, 2m, 1h, 7d)");
        return TimeSpan.FromSeconds((long)value * scale);
    }

    public YamlFields? Mapping(string key) => Node(key) is { } node ? new YamlFields(_file, node, Key(key)) : null;

    public IReadOnlyList<YamlNode>? Sequence(string key) => Node(key) switch
    {
        null => null,
        YamlSequenceNode sequence => sequence.Children.ToList(),
        var node => throw Error(node, Key(key), "expected a list"),
    };

    public IReadOnlyList<string>? Strings(string key) =>
        Sequence(key)?.Select((node, i) => Scalar(node, $"{Key(key)}[{i}]")).ToList();

    public string Scalar(YamlNode node, string key) => node is YamlScalarNode { Value: { } value }
        ? value
        : throw Error(node, key, "expected a single value");

    /// <summary>Call after every read: a key that no read asked for is an error.</summary>
    public void RejectUnknown()
    {
        foreach (var key in _node.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (!_read.Contains(name))
                throw Error(key, Key(name), "unknown key");
        }
    }

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
