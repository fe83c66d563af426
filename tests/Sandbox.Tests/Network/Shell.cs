using System.Diagnostics;

namespace Sandboxd.Tests.Network;

/// <summary>Runs ip / nft / nsenter / curl for the tests and returns (exit code, stdout, stderr).</summary>
internal static class Shell
{
    public static async Task<(int Code, string Out, string Err)> RunAsync(
        string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null, int timeoutMs = 10_000)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        foreach (var (name, value) in env ?? new Dictionary<string, string>())
            info.Environment[name] = value;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeoutMs);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeoutMs} ms");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    public static async Task<string> CheckAsync(string file, params string[] args)
    {
        var (code, output, error) = await RunAsync(file, args);
        if (code != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)}: exit {code}: {error}");
        return output;
    }

    /// <summary>Cleanup: runs and ignores failure (the thing may already be gone).</summary>
    public static async Task TryAsync(string file, params string[] args)
    {
        try
        {
            await RunAsync(file, args);
        }
        catch (Exception)
        {
            // Leak checks afterwards say whether anything stayed.
        }
    }
}
