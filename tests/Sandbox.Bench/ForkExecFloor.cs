using System.Diagnostics;
using System.Globalization;

namespace Sandboxd.Bench;

/// <summary>The floor: fork + execve(/bin/true) + waitpid timed inside the small C helper
/// (native/forkexec.c), so no .NET Process overhead is counted. It loops and pauses by itself
/// and prints one duration in nanoseconds per line.</summary>
public sealed class ForkExecFloor(string helper, int warmup)
{
    public async Task<Samples> MeasureAsync(int count, Pacing pacing)
    {
        var start = new ProcessStartInfo(helper) { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(count.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add(((int)pacing.Idle.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add(warmup.ToString(CultureInfo.InvariantCulture));
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {helper}");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{helper} exited {process.ExitCode}");
        return new Samples(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => long.Parse(line, CultureInfo.InvariantCulture)));
    }
}
