using System.Globalization;

namespace Sandboxd.Bench;

/// <summary>What the numbers were measured on; they mean little without it.</summary>
public static class MachineInfo
{
    public static string Describe(DateTimeOffset now)
    {
        var kernel = ReadOrUnknown("/proc/sys/kernel/osrelease").Trim();
        var cpu = ReadOrUnknown("/proc/cpuinfo").Split('\n')
            .FirstOrDefault(line => line.StartsWith("model name", StringComparison.Ordinal))?
            .Split(':', 2)[1].Trim() ?? "unknown cpu";
        // Load at the start: other builds on a 2-core machine skew every row, peers included.
        var load = string.Join(' ', ReadOrUnknown("/proc/loadavg").Split(' ').Take(3));
        return string.Create(CultureInfo.InvariantCulture,
            $"{now:yyyy-MM-dd HH:mm} UTC · nproc {Environment.ProcessorCount} · kernel {kernel} · {cpu} · load {load}");
    }

    private static string ReadOrUnknown(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
