using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Sandboxd.Api.V1;

namespace Sandboxd.Ctl.Commands;

/// <summary>--profile, --memory 256M, --pids 128, --cpus 0.5, --disk 1G on create.</summary>
internal sealed class ResourceOptions
{
    private readonly Option<string?> _profile = new("--profile") { Description = "a profile: low, medium, high, critical or one of the profiles directory (default: your role's pattern); without an approval policy also default or strict" };
    private readonly Option<string?> _memory = new("--memory") { Description = "memory limit, e.g. 256M or 1G (swap off)" };
    private readonly Option<long?> _pids = new("--pids") { Description = "most processes and threads at once" };
    private readonly Option<double?> _cpus = new("--cpus") { Description = "CPU quota in cores, e.g. 0.5" };
    private readonly Option<string?> _disk = new("--disk") { Description = "size of the writable layer, e.g. 512M" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _profile, _memory, _pids, _cpus, _disk })
            command.Options.Add(option);
        command.Validators.Add(r =>
        {
            foreach (var (option, name) in new[] { (_memory, "--memory"), (_disk, "--disk") })
                if (r.GetValue(option) is { } text && ParseSize(text) is null)
                    r.AddError($"{name} '{text}': expected a size like 256M, 1G or 1048576");
        });
    }

    public void Apply(ParseResult r, CreateRequest request)
    {
        request.Profile = r.GetValue(_profile) ?? "";
        var resources = new Resources
        {
            MemoryBytes = r.GetValue(_memory) is { } m ? ParseSize(m) ?? 0 : 0,
            Pids = r.GetValue(_pids) ?? 0,
            Cpus = r.GetValue(_cpus) ?? 0,
            DiskBytes = r.GetValue(_disk) is { } d ? ParseSize(d) ?? 0 : 0,
        };
        if (resources.MemoryBytes != 0 || resources.Pids != 0 || resources.Cpus != 0 || resources.DiskBytes != 0)
            request.Resources = resources;
    }

    /// <summary>Bytes, with an optional K/M/G/T suffix (powers of 1024).</summary>
    public static long? ParseSize(string text)
    {
        text = text.Trim().ToUpperInvariant().TrimEnd('B', 'I');
        long unit = text.Length == 0 ? 1 : text[^1] switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, 'T' => 1L << 40, _ => 1 };
        var number = unit == 1 ? text : text[..^1];
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0
            ? (long)(n * unit)
            : null;
    }

    /// <summary>The inverse of <see cref="ParseSize"/> for messages: 64 MiB, 1.5 GiB, 512 B.</summary>
    public static string FormatSize(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return value.ToString(value % 1 == 0 ? "0" : "0.#", CultureInfo.InvariantCulture) + " " + units[unit];
    }
}
