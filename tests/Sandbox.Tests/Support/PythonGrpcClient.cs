using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace Sandboxd.Tests.Support;

/// <summary>Runs the clients in tests/interop with Debian's python3-grpcio (an implementation of
/// gRPC independent of ours) and returns the JSON object they print.</summary>
public static class PythonGrpcClient
{
    private const string Python = "/usr/bin/python3";

    /// <summary>A scenario of tests/interop/grpc_client.py.</summary>
    public static Task<JsonElement> RunAsync(string socket, string scenario, params string[] args) =>
        RunScriptAsync("grpc_client.py",
            ["--socket", socket, "--repo-root", RepoPaths.Root, "--scenario", scenario, .. args.SelectMany(a => new[] { "--arg", a })]);

    /// <summary>Any script of tests/interop with its arguments.</summary>
    public static async Task<JsonElement> RunScriptAsync(string script, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(RepoPaths.Root, "tests", "interop", script));
        foreach (string arg in args)
            start.ArgumentList.Add(arg);

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {Python}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        string output = await stdout;
        Assert.True(process.ExitCode == 0, $"{script} exited {process.ExitCode}: {await stderr}");
        using JsonDocument document = JsonDocument.Parse(output);
        return document.RootElement.Clone();
    }
}
