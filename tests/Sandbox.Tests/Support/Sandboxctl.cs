using System.Diagnostics;

namespace Sandboxd.Tests.Support;

/// <summary>Runs the sandboxctl apphost from the test output directory against a daemon's socket.</summary>
public static class Sandboxctl
{
    public sealed record Result(int Code, string Stdout, string Stderr);

    public static async Task<Result> RunAsync(string socket, string? stdin, params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "sandboxctl"))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("--socket");
        start.ArgumentList.Add(socket);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        if (stdin is not null)
            await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
