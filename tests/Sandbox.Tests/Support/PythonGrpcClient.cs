using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace Sandboxd.Tests.Support;

/// <summary>Runs tests/interop/grpc_client.py (Debian's python3-grpcio, an implementation of gRPC
/// independent of ours) and returns the JSON object it prints.</summary>
public static class PythonGrpcClient
{
    private const string Python = "/usr/bin/python3";

    public static async Task<JsonElement> RunAsync(string socket, string scenario, params string[] args)
    {
        string root = RepoPaths.Root;
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(root, "tests", "interop", "grpc_client.py"));
        foreach (string arg in (string[])["--socket", socket, "--repo-root", root, "--scenario", scenario])
            start.ArgumentList.Add(arg);
        foreach (string arg in args)
        {
            start.ArgumentList.Add("--arg");
            start.ArgumentList.Add(arg);
        }

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
        Assert.True(process.ExitCode == 0, $"grpc_client.py {scenario} exited {process.ExitCode}: {await stderr}");
        using JsonDocument document = JsonDocument.Parse(output);
        return document.RootElement.Clone();
    }
}
