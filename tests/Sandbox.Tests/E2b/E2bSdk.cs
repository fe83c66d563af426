using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.E2b;

/// <summary>Runs a scenario of tests/e2b with E2B's own JavaScript SDK (npm e2b, pinned by its
/// lockfile, installed by `make deps`) against a daemon's --e2b-listen, as a user's program
/// would: the three variables of the README and nothing else.</summary>
public static class E2bSdk
{
    public static string Dir => Path.Combine(RepoPaths.Root, "tests", "e2b");

    public static int FreeLoopbackPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public sealed record Run(int Code, string Output)
    {
        /// <summary>The scenario's "ok NAME" lines: each a check that passed.</summary>
        public IReadOnlyList<string> Passed => Output.Split('\n').Where(l => l.StartsWith("ok ", StringComparison.Ordinal)).ToList();
    }

    public static Task<Run> RunAsync(string script, int port, string apiKey, IReadOnlyDictionary<string, string>? env = null) =>
        RunAsync([script], port, apiKey, env, TimeSpan.FromMinutes(3));

    /// <summary>tests/e2b/sdk: E2B's own SDK suite's cases, rewritten here, under vitest (pinned
    /// by the lockfile like the SDK).</summary>
    public static Task<Run> RunSuiteAsync(int port, string apiKey) =>
        RunAsync([Path.Combine("node_modules", "vitest", "vitest.mjs"), "run"], port, apiKey, null, TimeSpan.FromMinutes(10));

    private static async Task<Run> RunAsync(string[] args, int port, string apiKey, IReadOnlyDictionary<string, string>? env, TimeSpan limit)
    {
        Assert.True(File.Exists(Path.Combine(Dir, "node_modules", "e2b", "package.json")),
            "E2B's SDK is not installed in tests/e2b: run `make deps` (npm ci there)");
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = Dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in args)
            start.ArgumentList.Add(a);
        start.Environment["NO_COLOR"] = "1";
        start.Environment["E2B_API_URL"] = $"http://127.0.0.1:{port}";
        start.Environment["E2B_SANDBOX_URL"] = $"http://127.0.0.1:{port}";
        start.Environment["E2B_API_KEY"] = apiKey;
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
            start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.WaitForExit();
        lock (output)
            return new Run(process.ExitCode, output.ToString());
    }
}
