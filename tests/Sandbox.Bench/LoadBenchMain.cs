using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Sandboxd.Api.Client;
using Sandboxd.Api.V1;

namespace Sandboxd.Bench;

/// <summary>`Sandbox.Bench load --sandboxd PATH --bwrap PATH [--out FILE]`: issue 12's load test.
/// Phase 1: LOAD_SANDBOXES (200) sandboxes created at once through the API, LOAD_EXECS (20)
/// executions in each (the sandboxes side by side, each one's commands in turn), then all destroyed
/// at once: errors counted, p50/p99 per verb, the daemon's RSS per live sandbox. Phase 2:
/// LOAD_IDLE (1000) idle sandboxes alive at once, host memory per sandbox (MemAvailable before and
/// after, so the kernel's share — page tables, cgroups, namespaces, tmpfs — counts too) beside the
/// same number of idle bubblewrap sandboxes measured the same way in the same run.</summary>
public static class LoadBenchMain
{
    private const double IdleTargetMb = 0.4;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new Dictionary<string, string>();
        for (var i = 1; i + 1 < args.Length; i += 2)
            options[args[i]] = args[i + 1];
        if (!options.TryGetValue("--sandboxd", out var daemonPath) || !options.TryGetValue("--bwrap", out var bwrap))
        {
            Console.Error.WriteLine("usage: Sandbox.Bench load --sandboxd PATH --bwrap PATH [--out FILE]");
            return 2;
        }
        var output = options.GetValueOrDefault("--out", "out/bench/load.md");
        int sandboxes = EnvInt("LOAD_SANDBOXES", 200), execs = EnvInt("LOAD_EXECS", 20), idle = EnvInt("LOAD_IDLE", 1000);
        var machine = MachineInfo.Describe(DateTimeOffset.UtcNow);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Measured {machine}\n\n");
        using (var daemon = BenchDaemon.Start(daemonPath))
            text.Append(await ConcurrentPhaseAsync(daemon, sandboxes, execs).ConfigureAwait(false));
        using (var daemon = BenchDaemon.Start(daemonPath))
            text.Append(await IdlePhaseAsync(daemon, bwrap, idle).ConfigureAwait(false));
        Console.WriteLine(text);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        await File.WriteAllTextAsync(output, text.ToString()).ConfigureAwait(false);
        Console.Error.WriteLine($"written: {output}");
        return 0;
    }

    private static async Task<string> ConcurrentPhaseAsync(BenchDaemon daemon, int sandboxes, int execs)
    {
        Console.Error.WriteLine($"load: {sandboxes} concurrent creates, {execs} executions each");
        using var client = daemon.Connect();
        long rssBefore = RssKb(daemon.Pid);
        var creates = new ConcurrentBag<long>();
        var executions = new ConcurrentBag<long>();
        var destroys = new ConcurrentBag<long>();
        var errors = new ConcurrentBag<string>();
        var ids = new ConcurrentBag<string>();
        await Task.WhenAll(Enumerable.Range(0, sandboxes).Select(_ => Task.Run(async () =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                ids.Add((await client.CreateAsync(new CreateRequest()).ConfigureAwait(false)).Id);
                creates.Add(ElapsedNs(started));
            }
            catch (Exception e) when (e is Grpc.Core.RpcException or InvalidOperationException)
            {
                errors.Add("create: " + e.Message);
            }
        }))).ConfigureAwait(false);
        long rssLive = RssKb(daemon.Pid);
        await Task.WhenAll(ids.Select(id => Task.Run(async () =>
        {
            for (var i = 0; i < execs; i++)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    var exit = await RunAsync(client, id).ConfigureAwait(false);
                    if (exit != 0)
                        errors.Add($"exec: exit {exit}");
                    else
                        executions.Add(ElapsedNs(started));
                }
                catch (Grpc.Core.RpcException e)
                {
                    errors.Add("exec: " + e.Status.Detail);
                }
            }
        }))).ConfigureAwait(false);
        await Task.WhenAll(ids.Select(id => Task.Run(async () =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await client.DestroyAsync(id).ConfigureAwait(false);
                destroys.Add(ElapsedNs(started));
            }
            catch (Grpc.Core.RpcException e)
            {
                errors.Add("destroy: " + e.Status.Detail);
            }
        }))).ConfigureAwait(false);
        foreach (var error in errors.Distinct().Take(5))
            Console.Error.WriteLine("load error: " + error);

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"{sandboxes} sandboxes created at once through the API, {execs} executions of `/bin/echo` in each, then destroyed at once: **{errors.Count} errors**\n\n");
        text.Append("| verb | calls | p50 ms | p99 ms |\n|---|---:|---:|---:|\n");
        foreach (var (verb, samples) in new[] { ("create", creates), ("exec", executions), ("destroy", destroys) })
            if (!samples.IsEmpty)
            {
                var s = new Samples(samples);
                text.Append(CultureInfo.InvariantCulture, $"| {verb} | {s.Count} | {s.P50Ms:F1} | {s.P99Ms:F1} |\n");
            }
        text.Append(CultureInfo.InvariantCulture,
            $"\nDaemon RSS: {rssBefore / 1024.0:F1} MiB before, {rssLive / 1024.0:F1} MiB with {ids.Count} sandboxes live: {(rssLive - rssBefore) / (double)Math.Max(1, ids.Count):F0} KiB per sandbox.\n\n");
        return text.ToString();
    }

    private static async Task<string> IdlePhaseAsync(BenchDaemon daemon, string bwrap, int count)
    {
        Console.Error.WriteLine($"load: {count} idle sandboxes, then {count} idle bwrap sandboxes");
        using var client = daemon.Connect();
        long rssBefore = RssKb(daemon.Pid);
        long availableBefore = MemAvailableKb();
        var ids = new List<string>();
        string? stoppedBy = null;
        using var limiter = new SemaphoreSlim(8);
        var tasks = Enumerable.Range(0, count).Select(async _ =>
        {
            await limiter.WaitAsync().ConfigureAwait(false);
            try
            {
                var id = (await client.CreateAsync(new CreateRequest()).ConfigureAwait(false)).Id;
                lock (ids)
                    ids.Add(id);
            }
            catch (Grpc.Core.RpcException e)
            {
                stoppedBy ??= e.Status.Detail;
            }
            finally
            {
                limiter.Release();
            }
        });
        await Task.WhenAll(tasks).ConfigureAwait(false);
        await Task.Delay(TimeSpan.FromSeconds(2)).ConfigureAwait(false); // let the warm pool and page cache settle
        double sandboxdKb = (availableBefore - MemAvailableKb()) / (double)Math.Max(1, ids.Count);
        long rssIdle = RssKb(daemon.Pid);
        await Task.WhenAll(ids.Select(id => client.DestroyAsync(id))).ConfigureAwait(false);

        double bwrapKb = IdleBwrapKb(bwrap, count, out var bwrapAlive);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Idle sandboxes alive at once (host memory from MemAvailable before and after, per sandbox)\n\n");
        text.Append("| sandbox | alive | host MB per idle sandbox | ratio vs bwrap | today | target | verdict |\n|---|---:|---:|---:|---:|---:|---|\n");
        text.Append(CultureInfo.InvariantCulture,
            $"| sandboxd (default create) | {ids.Count} | {sandboxdKb / 1024:F2} | {sandboxdKb / bwrapKb:F2}× | 0.76 | ≤ {IdleTargetMb} | {(sandboxdKb / 1024 <= IdleTargetMb && ids.Count == count ? "PASS" : "MISS")} |\n");
        text.Append(CultureInfo.InvariantCulture, $"| bwrap (sleep) | {bwrapAlive} | {bwrapKb / 1024:F2} | 1.00× | 0.84 | — | — |\n");
        text.Append(CultureInfo.InvariantCulture,
            $"\nDaemon RSS: {rssBefore / 1024.0:F1} MiB before, {rssIdle / 1024.0:F1} MiB with {ids.Count} idle sandboxes.");
        if (stoppedBy is not null)
            text.Append(CultureInfo.InvariantCulture, $" Creates stopped at {ids.Count}: {stoppedBy}.");
        text.Append('\n');
        return text.ToString();
    }

    /// <summary>The same number of bubblewrap sandboxes (all namespaces, /usr read-only, fresh
    /// /proc, /dev, /tmp) each running `sleep`, measured like sandboxd's; killed by pid after.</summary>
    private static double IdleBwrapKb(string bwrap, int count, out int alive)
    {
        long before = MemAvailableKb();
        var processes = new List<Process>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var start = new ProcessStartInfo(bwrap) { UseShellExecute = false };
                foreach (var a in new[] { "--unshare-all", "--die-with-parent", "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin",
                             "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
                             "/bin/sleep", "3600" })
                    start.ArgumentList.Add(a);
                processes.Add(Process.Start(start)!);
            }
            Thread.Sleep(TimeSpan.FromSeconds(2));
            alive = processes.Count(p => !p.HasExited);
            return (before - MemAvailableKb()) / (double)Math.Max(1, alive);
        }
        finally
        {
            foreach (var p in processes)
            {
                if (!p.HasExited)
                    Posix.Kill(p.Id, Posix.SIGTERM);
                p.WaitForExit();
                p.Dispose();
            }
        }
    }

    private static async Task<int> RunAsync(SandboxesClient client, string id)
    {
        var request = new ExecuteRequest { SandboxId = id, Argv = { "/bin/echo", "load" } };
        var exit = -1;
        await foreach (var message in client.ExecuteAsync(request, TimeSpan.FromSeconds(60)).ConfigureAwait(false))
            if (message.PayloadCase == ExecuteResponse.PayloadOneofCase.Exit)
                exit = message.Exit.ExitCode;
        return exit;
    }

    private static long ElapsedNs(long started) =>
        (long)((Stopwatch.GetTimestamp() - started) * (1e9 / Stopwatch.Frequency));

    private static int EnvInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), CultureInfo.InvariantCulture, out var v) ? v : fallback;

    private static long MemAvailableKb() => MeminfoKb("/proc/meminfo", "MemAvailable:");

    private static long RssKb(int pid) => MeminfoKb($"/proc/{pid}/status", "VmRSS:");

    private static long MeminfoKb(string path, string key) =>
        long.Parse(File.ReadLines(path).First(l => l.StartsWith(key, StringComparison.Ordinal))[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
}
