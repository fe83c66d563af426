using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Sandboxd.Api.Client;
using Sandboxd.Api.V1;

namespace Sandboxd.Bench;

/// <summary>`e2b --sandboxd PATH [--n N] [--out FILE]`: E2B's SDK cycle (Sandbox.create →
/// commands.run("true") → kill, node tests/e2b/bench.mjs) beside the same cycle over gRPC on the
/// Unix socket, against one daemon in one run. The SDK runs "true" as `/bin/bash -l -c true`,
/// so the gRPC cycle runs that argv too.</summary>
public static class E2bBenchMain
{
    public static async Task<int> RunAsync(string[] args)
    {
        var values = new Dictionary<string, string>();
        for (int i = 1; i + 1 < args.Length; i += 2)
            values[args[i]] = args[i + 1];
        if (!values.TryGetValue("--sandboxd", out var sandboxd))
        {
            Console.Error.WriteLine("usage: Sandbox.Bench e2b --sandboxd PATH [--n N] [--out FILE]");
            return 2;
        }
        int n = int.Parse(values.GetValueOrDefault("--n", Environment.GetEnvironmentVariable("BENCH_N") ?? "50"), CultureInfo.InvariantCulture);
        string output = values.GetValueOrDefault("--out", "out/bench/e2b.md");
        int port = FreePort();
        using var daemon = BenchDaemon.Start(sandboxd, ["--e2b-listen", $"127.0.0.1:{port}"]);
        using var client = SandboxesClient.ForUnixSocket(daemon.Socket);
        Console.Error.WriteLine($"e2b bench: n={n} per cycle, 5 warm-up each");

        var grpc = new List<long>();
        for (int i = 0; i < n + 5; i++)
        {
            var clock = Stopwatch.StartNew();
            var sandbox = await client.CreateAsync(new CreateRequest());
            await foreach (var m in client.ExecuteAsync(new ExecuteRequest { SandboxId = sandbox.Id, Argv = { "/bin/bash", "-l", "-c", "true" } }))
            {
                if (m.PayloadCase == ExecuteResponse.PayloadOneofCase.Exit && m.Exit.ExitCode != 0)
                    throw new InvalidOperationException("true did not exit 0: " + m.Exit);
            }
            await client.DestroyAsync(sandbox.Id);
            if (i >= 5)
                grpc.Add((long)(clock.Elapsed.TotalMilliseconds * 1e6));
        }
        var sdk = await SdkCyclesAsync(port, n);

        var g = new Samples(grpc);
        var e = new Samples(sdk);
        var table = new StringBuilder()
            .AppendLine("| cycle (create → run true → kill) | n | p50 ms | p99 ms | p50 vs gRPC |")
            .AppendLine("|---|---|---|---|---|")
            .AppendLine(CultureInfo.InvariantCulture, $"| gRPC (Unix socket, C# client) | {g.Count} | {g.P50Ms:F2} | {g.P99Ms:F2} | 1.00× |")
            .AppendLine(CultureInfo.InvariantCulture, $"| E2B JS SDK 2.51.0 (--e2b-listen, HTTP/1.1) | {e.Count} | {e.P50Ms:F2} | {e.P99Ms:F2} | {e.P50Ms / g.P50Ms:F2}× |")
            .ToString();
        Console.WriteLine(table);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        await File.WriteAllTextAsync(output, table);
        Console.Error.WriteLine($"written: {output}");
        return 0;
    }

    private static async Task<List<long>> SdkCyclesAsync(int port, int n)
    {
        var dir = Path.Combine(FindRepo(), "tests", "e2b");
        var start = new ProcessStartInfo("node") { WorkingDirectory = dir, RedirectStandardOutput = true };
        start.ArgumentList.Add("bench.mjs");
        start.ArgumentList.Add(n.ToString(CultureInfo.InvariantCulture));
        start.Environment["E2B_API_URL"] = start.Environment["E2B_SANDBOX_URL"] = $"http://127.0.0.1:{port}";
        start.Environment["E2B_API_KEY"] = "bench";
        using var node = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        var cycles = new List<long>();
        while (await node.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("cycle ", StringComparison.Ordinal))
                cycles.Add((long)(double.Parse(line.AsSpan(6), CultureInfo.InvariantCulture) * 1e6));
        }
        await node.WaitForExitAsync();
        if (node.ExitCode != 0 || cycles.Count == 0)
            throw new InvalidOperationException($"node bench.mjs failed (exit {node.ExitCode}; `make deps` installs the SDK)");
        return cycles;
    }

    private static string FindRepo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Sandbox.sln")))
                return dir.FullName;
        throw new InvalidOperationException("Sandbox.sln not found");
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
