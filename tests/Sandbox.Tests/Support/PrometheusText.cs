using System.Globalization;
using System.Text;

namespace Sandboxd.Tests.Support;

/// <summary>One sample line: its name (with a histogram's _bucket/_sum/_count suffix), labels, value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>A metric family: its # HELP and # TYPE, and its samples.</summary>
public sealed record PrometheusFamily(string Name, string Help, string Type, List<PrometheusSample> Samples);

/// <summary>A parser for Prometheus' text exposition format (0.0.4) that also checks what a
/// scraper relies on, so a malformed scrape fails the test instead of passing a grep: HELP and TYPE
/// once per family and before its samples, every sample in a declared family, label syntax and
/// escapes, counters non-negative, and each histogram series with cumulative buckets ending in
/// le="+Inf" equal to its _count, and a _sum.</summary>
public sealed class PrometheusText
{
    private static readonly string[] Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    private PrometheusText(Dictionary<string, PrometheusFamily> families) => Families = families;

    public IReadOnlyDictionary<string, PrometheusFamily> Families { get; }

    public PrometheusFamily Family(string name) =>
        Families.TryGetValue(name, out var family) ? family : throw new KeyNotFoundException($"no metric family {name}");

    /// <summary>The one sample named <paramref name="name"/> whose labels include every given pair.</summary>
    public double Value(string name, params (string Label, string Value)[] labels)
    {
        var matches = Families.Values.SelectMany(f => f.Samples)
            .Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value)).ToList();
        return matches.Count == 1
            ? matches[0].Value
            : throw new InvalidOperationException($"{matches.Count} samples of {name} with {string.Join(",", labels)}");
    }

    /// <summary>The sum over every sample named <paramref name="name"/> (all label sets), 0 when none.</summary>
    public double Sum(string name) => Families.Values.SelectMany(f => f.Samples).Where(s => s.Name == name).Sum(s => s.Value);

    public static PrometheusText Parse(string text)
    {
        var families = new Dictionary<string, PrometheusFamily>(StringComparer.Ordinal);
        var helps = new Dictionary<string, string>(StringComparer.Ordinal);
        int number = 0;
        foreach (var line in text.Split('\n'))
        {
            number++;
            if (line.Length == 0)
                continue;
            try
            {
                if (line.StartsWith('#'))
                    Comment(line, families, helps);
                else
                    AddSample(ParseSample(line), families);
            }
            catch (FormatException e)
            {
                throw new FormatException($"line {number} '{line}': {e.Message}", e);
            }
        }
        foreach (var family in families.Values)
        {
            if (family.Help.Length == 0)
                throw new FormatException($"{family.Name} has no # HELP");
            if (family.Type == "histogram")
                CheckHistogram(family);
            if (family.Type == "counter" && family.Samples.Any(s => s.Value < 0 || double.IsNaN(s.Value)))
                throw new FormatException($"counter {family.Name} has a negative or NaN sample");
        }
        return new PrometheusText(families);
    }

    private static void Comment(string line, Dictionary<string, PrometheusFamily> families, Dictionary<string, string> helps)
    {
        var parts = line.Split(' ', 4);
        if (parts.Length < 3 || parts[0] != "#" || parts[1] is not ("HELP" or "TYPE"))
            return; // any other comment is allowed and means nothing
        string name = parts[2];
        CheckName(name);
        string rest = parts.Length == 4 ? parts[3] : "";
        if (parts[1] == "HELP")
        {
            if (!helps.TryAdd(name, Unescape(rest, help: true)))
                throw new FormatException($"a second # HELP for {name}");
            if (families.TryGetValue(name, out var f))
                families[name] = f with { Help = helps[name] };
            return;
        }
        if (!Types.Contains(rest))
            throw new FormatException($"unknown type '{rest}'");
        if (families.ContainsKey(name))
            throw new FormatException($"# TYPE of {name} after its samples or a second time");
        families[name] = new PrometheusFamily(name, helps.GetValueOrDefault(name, ""), rest, []);
    }

    private static void AddSample(PrometheusSample sample, Dictionary<string, PrometheusFamily> families)
    {
        foreach (var (suffix, types) in new[] { ("", Types), ("_bucket", ["histogram"]), ("_sum", new[] { "histogram", "summary" }),
                     ("_count", new[] { "histogram", "summary" }) })
        {
            if (!sample.Name.EndsWith(suffix, StringComparison.Ordinal))
                continue;
            var familyName = sample.Name[..^suffix.Length];
            if (families.TryGetValue(familyName, out var family) && types.Contains(family.Type)
                && (suffix.Length > 0 || family.Type is not ("histogram")))
            {
                family.Samples.Add(sample);
                return;
            }
        }
        throw new FormatException($"sample {sample.Name} belongs to no family declared by # TYPE before it");
    }

    private static PrometheusSample ParseSample(string line)
    {
        int i = 0;
        while (i < line.Length && line[i] is not ('{' or ' '))
            i++;
        string name = line[..i];
        CheckName(name);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                int eq = line.IndexOf('=', i);
                if (eq < 0)
                    throw new FormatException("a label without '='");
                string label = line[i..eq];
                CheckName(label);
                if (eq + 1 >= line.Length || line[eq + 1] != '"')
                    throw new FormatException($"label {label}'s value is not quoted");
                var value = new StringBuilder();
                i = eq + 2;
                for (; line[i] != '"'; i++)
                {
                    if (line[i] == '\\')
                    {
                        i++;
                        value.Append(line[i] switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            var c => throw new FormatException($"escape \\{c} in a label value"),
                        });
                    }
                    else
                    {
                        value.Append(line[i]);
                    }
                }
                if (!labels.TryAdd(label, value.ToString()))
                    throw new FormatException($"label {label} twice");
                i++;
                if (line[i] == ',')
                    i++;
                else if (line[i] != '}')
                    throw new FormatException($"'{line[i]}' after label {label}");
            }
            i++;
        }
        if (i >= line.Length || line[i] != ' ')
            throw new FormatException("no value after the name and labels");
        var fields = line[(i + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length is < 1 or > 2)
            throw new FormatException("expected a value and an optional timestamp");
        if (fields.Length == 2 && !long.TryParse(fields[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
            throw new FormatException($"timestamp '{fields[1]}' is not an integer");
        return new PrometheusSample(name, labels, ParseValue(fields[0]));
    }

    private static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) => v,
        _ => throw new FormatException($"value '{text}' is not a number"),
    };

    private static void CheckHistogram(PrometheusFamily family)
    {
        static string Series(PrometheusSample s) =>
            string.Join(",", s.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
        foreach (var series in family.Samples.GroupBy(Series))
        {
            var buckets = series.Where(s => s.Name == family.Name + "_bucket")
                .Select(s => (Le: s.Labels.TryGetValue("le", out var le) ? ParseValue(le) : throw new FormatException($"{family.Name}_bucket without le"), s.Value))
                .OrderBy(b => b.Le).ToList();
            var count = series.SingleOrDefault(s => s.Name == family.Name + "_count")
                ?? throw new FormatException($"{family.Name}{{{series.Key}}} has no _count");
            if (series.SingleOrDefault(s => s.Name == family.Name + "_sum") is null)
                throw new FormatException($"{family.Name}{{{series.Key}}} has no _sum");
            if (buckets.Count == 0 || !double.IsPositiveInfinity(buckets[^1].Le))
                throw new FormatException($"{family.Name}{{{series.Key}}} has no le=\"+Inf\" bucket");
            for (int b = 1; b < buckets.Count; b++)
            {
                if (buckets[b].Value < buckets[b - 1].Value)
                    throw new FormatException($"{family.Name}{{{series.Key}}}: bucket le={buckets[b].Le} holds less than le={buckets[b - 1].Le}");
            }
            if (buckets[^1].Value != count.Value)
                throw new FormatException($"{family.Name}{{{series.Key}}}: +Inf bucket {buckets[^1].Value} is not _count {count.Value}");
        }
    }

    private static void CheckName(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':'))
            throw new FormatException($"'{name}' is not a metric or label name");
    }

    private static string Unescape(string text, bool help)
    {
        var result = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\' || i + 1 == text.Length)
            {
                result.Append(text[i]);
                continue;
            }
            i++;
            result.Append(text[i] switch
            {
                '\\' => '\\',
                'n' => '\n',
                '"' when !help => '"',
                var c => throw new FormatException($"escape \\{c} in HELP"),
            });
        }
        return result.ToString();
    }
}
