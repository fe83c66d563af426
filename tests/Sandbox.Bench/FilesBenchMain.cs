using System.Diagnostics;
using System.Globalization;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Sandboxd.Api.Client;
using Sandboxd.Api.V1;

namespace Sandboxd.Bench;

/// <summary>`Sandbox.Bench files --sandboxd PATH [--out FILE]`: issue 13's table. File write and
/// read throughput through the Files API beside its peer, `cat` into (and out of) the same
/// sandbox over an execution, in one run on one daemon; and the latency of re-attaching to a
/// running execution (first replayed byte) beside a unary Get on the same connection.
/// FILES_BENCH_MIB (default 256) sets the size moved, BENCH_N (default 200) the attach samples.</summary>
public static class FilesBenchMain
{
    private const int Chunk = 1 << 20;
    private const int Rounds = 3;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new Dictionary<string, string>();
        for (var i = 1; i + 1 < args.Length; i += 2)
            options[args[i]] = args[i + 1];
        if (!options.TryGetValue("--sandboxd", out var daemonPath))
        {
            Console.Error.WriteLine("usage: Sandbox.Bench files --sandboxd PATH [--out FILE]");
            return 2;
        }
        var output = options.GetValueOrDefault("--out", "out/bench/files.md");
        var mib = int.Parse(Environment.GetEnvironmentVariable("FILES_BENCH_MIB") ?? "256", CultureInfo.InvariantCulture);
        var samples = int.Parse(Environment.GetEnvironmentVariable("BENCH_N") ?? "200", CultureInfo.InvariantCulture);
        var machine = MachineInfo.Describe(DateTimeOffset.UtcNow);

        using var daemon = BenchDaemon.Start(daemonPath, ["--warm-pool", "0", "--warm-egress", "0"]);
        using var client = daemon.Connect();
        var files = new Files.FilesClient(client.Connection.Channel);
        var executions = new ExecutionsClient(client.Connection);
        var sandbox = await client.CreateAsync(new CreateRequest { Resources = new Resources { DiskBytes = (long)(2 * mib + 64) << 20 } }).ConfigureAwait(false);
        try
        {
            var payload = new byte[Chunk];
            Random.Shared.NextBytes(payload);
            var chunk = ByteString.CopyFrom(payload);
            Console.Error.WriteLine($"files bench: {mib} MiB each way, {Rounds} rounds; attach n={samples}");

            var apiWrite = await Median(Rounds, () => ApiWriteAsync(files, sandbox.Id, chunk, mib)).ConfigureAwait(false);
            var execWrite = await Median(Rounds, () => ExecWriteAsync(executions, sandbox.Id, chunk, mib)).ConfigureAwait(false);
            var apiRead = await Median(Rounds, () => ApiReadAsync(files, sandbox.Id, mib)).ConfigureAwait(false);
            var execRead = await Median(Rounds, () => ExecReadAsync(client, sandbox.Id, mib)).ConfigureAwait(false);
            var (attach, unary) = await AttachLatencyAsync(client, executions, sandbox.Id, samples).ConfigureAwait(false);

            var table = Render(machine, mib, samples, apiWrite, execWrite, apiRead, execRead, attach, unary);
            Console.WriteLine(table);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
            await File.WriteAllTextAsync(output, table).ConfigureAwait(false);
            Console.Error.WriteLine($"written: {output}");
            return 0;
        }
        finally
        {
            await client.DestroyAsync(sandbox.Id).ConfigureAwait(false);
        }
    }

    /// <summary>Runs the timed action <paramref name="rounds"/> times, one after another; the median seconds.</summary>
    private static async Task<double> Median(int rounds, Func<Task<double>> timed)
    {
        var seconds = new List<double>();
        for (var i = 0; i < rounds; i++)
            seconds.Add(await timed().ConfigureAwait(false));
        return seconds.Order().ElementAt(rounds / 2);
    }

    private static async Task<double> ApiWriteAsync(Files.FilesClient files, string id, ByteString chunk, int mib)
    {
        var clock = Stopwatch.StartNew();
        using var call = files.WriteFile();
        await call.RequestStream.WriteAsync(new WriteFileRequest { Header = new WriteFileHeader { SandboxId = id, Path = "/home/sandbox/api.bin" } }).ConfigureAwait(false);
        for (var i = 0; i < mib; i++)
            await call.RequestStream.WriteAsync(new WriteFileRequest { Data = chunk }).ConfigureAwait(false);
        await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        var written = await call.ResponseAsync.ConfigureAwait(false);
        clock.Stop();
        Expect(written.Size == (ulong)mib << 20, $"WriteFile wrote {written.Size} bytes");
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>The peer: `cat > exec.bin` started detached, fed through SendInput in the same 1 MiB
    /// chunks, stdin closed, waited for.</summary>
    private static async Task<double> ExecWriteAsync(ExecutionsClient executions, string id, ByteString chunk, int mib)
    {
        var clock = Stopwatch.StartNew();
        var started = await executions.StartAsync(new StartExecutionRequest { SandboxId = id, Argv = { "/bin/sh", "-c", "cat > /home/sandbox/exec.bin" } }).ConfigureAwait(false);
        for (var i = 0; i < mib; i++)
            await executions.Raw.SendInputAsync(new SendInputRequest { SandboxId = id, ExecutionId = started.ExecutionId, Data = chunk }).ConfigureAwait(false);
        await executions.Raw.CloseStdinAsync(new ExecutionRef { SandboxId = id, ExecutionId = started.ExecutionId }).ConfigureAwait(false);
        var exit = await executions.WaitAsync(id, started.ExecutionId).ConfigureAwait(false);
        clock.Stop();
        Expect(exit.ExitCode == 0, $"cat > exec.bin exited {exit.ExitCode}");
        return clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> ApiReadAsync(Files.FilesClient files, string id, int mib)
    {
        var clock = Stopwatch.StartNew();
        using var call = files.ReadFile(new ReadFileRequest { SandboxId = id, Path = "/home/sandbox/api.bin", ChunkSize = Chunk });
        long bytes = 0;
        await foreach (var piece in call.ResponseStream.ReadAllAsync().ConfigureAwait(false))
            bytes += piece.Data.Length;
        clock.Stop();
        Expect(bytes == (long)mib << 20, $"ReadFile read {bytes} bytes");
        return clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> ExecReadAsync(SandboxesClient client, string id, int mib)
    {
        var clock = Stopwatch.StartNew();
        long bytes = 0;
        await foreach (var response in client.ExecuteAsync(new ExecuteRequest { SandboxId = id, Argv = { "/bin/cat", "/home/sandbox/exec.bin" } }).ConfigureAwait(false))
            bytes += response.Stdout.Length;
        clock.Stop();
        Expect(bytes == (long)mib << 20, $"cat exec.bin gave {bytes} bytes");
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>A running execution that printed one line; each sample attaches from offset 0 and
    /// stops at the first replayed byte. The peer is a unary Get on the same channel.</summary>
    private static async Task<(Samples Attach, Samples Unary)> AttachLatencyAsync(SandboxesClient client, ExecutionsClient executions, string id, int samples)
    {
        var started = await executions.StartAsync(new StartExecutionRequest { SandboxId = id, Argv = { "/bin/sh", "-c", "echo ready; exec sleep 600" } }).ConfigureAwait(false);
        try
        {
            await FirstByteAsync(executions, id, started.ExecutionId).ConfigureAwait(false);
            var attach = new List<long>();
            var unary = new List<long>();
            for (var i = 0; i < samples + 20; i++)
            {
                var a = Stopwatch.GetTimestamp();
                await FirstByteAsync(executions, id, started.ExecutionId).ConfigureAwait(false);
                var b = Stopwatch.GetTimestamp();
                await client.GetAsync(id).ConfigureAwait(false);
                var c = Stopwatch.GetTimestamp();
                if (i < 20)
                    continue; // warm-up
                attach.Add(Nanoseconds(b - a));
                unary.Add(Nanoseconds(c - b));
            }
            return (new Samples(attach), new Samples(unary));
        }
        finally
        {
            await executions.KillAsync(id, started.ExecutionId).ConfigureAwait(false);
        }
    }

    private static async Task FirstByteAsync(ExecutionsClient executions, string id, string execution)
    {
        using var cancel = new CancellationTokenSource();
        await foreach (var response in executions.AttachAsync(new AttachRequest { SandboxId = id, ExecutionId = execution }, cancel.Token).ConfigureAwait(false))
        {
            if (response.Stdout is { Data.Length: > 0 })
            {
                await cancel.CancelAsync().ConfigureAwait(false);
                return;
            }
        }
        throw new InvalidOperationException("attach ended before any output");
    }

    private static long Nanoseconds(long ticks) => (long)(ticks * 1e9 / Stopwatch.Frequency);

    private static void Expect(bool condition, string what)
    {
        if (!condition)
            throw new InvalidOperationException(what);
    }

    private static string Render(string machine, int mib, int samples, double apiWrite, double execWrite, double apiRead, double execRead, Samples attach, Samples unary)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Measured {machine}\n\n");
        text.Append(CultureInfo.InvariantCulture, $"File transfer: {mib} MiB each way in 1 MiB chunks, median of {Rounds} rounds, one sandbox on one daemon\n\n");
        text.Append("| direction | Files API MiB/s | `cat` over an execution MiB/s | API / exec |\n|---|---:|---:|---:|\n");
        text.Append(CultureInfo.InvariantCulture, $"| write into the sandbox (WriteFile vs SendInput to `cat > f`) | {mib / apiWrite:F0} | {mib / execWrite:F0} | {execWrite / apiWrite:F2}× |\n");
        text.Append(CultureInfo.InvariantCulture, $"| read out of it (ReadFile vs Execute `cat f`) | {mib / apiRead:F0} | {mib / execRead:F0} | {execRead / apiRead:F2}× |\n\n");
        text.Append(CultureInfo.InvariantCulture, $"Re-attach to a running execution, to its first replayed byte ({samples} samples after 20 warm-up), beside a unary Get on the same connection\n\n");
        text.Append("| call | p50 ms | p99 ms | p50 / Get |\n|---|---:|---:|---:|\n");
        text.Append(CultureInfo.InvariantCulture, $"| Executions.Attach (offset 0) | {attach.P50Ms:F3} | {attach.P99Ms:F3} | {attach.P50Ms / unary.P50Ms:F2}× |\n");
        text.Append(CultureInfo.InvariantCulture, $"| Sandboxes.Get (unary peer) | {unary.P50Ms:F3} | {unary.P99Ms:F3} | 1.00× |\n");
        return text.ToString();
    }
}
