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
        return string.Create(CultureInfo.InvariantCulture,
            $"{now:yyyy-MM-dd HH:mm} UTC · nproc {Environment.ProcessorCount} · kernel {kernel} · {cpu}");
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
