using System.Diagnostics;
using System.Globalization;
using System.Text;
using Google.Protobuf;
using Sandboxd.Api.Client;
using Sandboxd.Api.V1;
using Sandboxd.Isolation.Seccomp;

namespace Sandboxd.Bench;

/// <summary>What a refused call costs now that it goes through the daemon's seccomp listener
/// (recorded, rate-limited, answered with the profile's errno), against the same refusal answered
/// in the kernel by the plain program (SECCOMP_RET_ERRNO, what every refusal cost before) and an
/// allowed call. Each sample is one run of <see cref="Calls"/> calls timed inside the calling
/// process by tests/probe's syscall-try, so process start and the RPC are not in the number.</summary>
public sealed class SeccompDenialBench(string daemonPath, string syscallTry, string seccompRun, int runs)
{
    public const int Calls = 10_000;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    public async Task<IReadOnlyList<(string Scenario, double[] NsPerCall)>> RunAsync()
    {
        var listened = new List<double>();
        var allowed = new List<double>();
        var inKernel = new List<double>();
        var plain = Path.Combine(Path.GetTempPath(), $"sbx-bench-seccomp-{Environment.ProcessId}.bpf");
        await File.WriteAllBytesAsync(plain, SeccompCompiler.Compile(BuiltinProfiles.Default)).ConfigureAwait(false);
        using var daemon = BenchDaemon.Start(daemonPath);
        var client = daemon.Connect();
        var sandbox = (await client.CreateAsync(new CreateRequest(), Deadline).ConfigureAwait(false)).Id;
        try
        {
            await RunInSandboxAsync(client, sandbox, "cat > /tmp/syscall-try && chmod +x /tmp/syscall-try", await File.ReadAllBytesAsync(syscallTry).ConfigureAwait(false)).ConfigureAwait(false);
            // Interleaved, so load from other work on the machine falls on every scenario alike.
            for (var i = 0; i < runs; i++)
            {
                listened.Add(NsPerCall(await RunInSandboxAsync(client, sandbox, $"/tmp/syscall-try unshare_net {Calls}", null).ConfigureAwait(false)));
                allowed.Add(NsPerCall(await RunInSandboxAsync(client, sandbox, $"/tmp/syscall-try getpid {Calls}", null).ConfigureAwait(false)));
                inKernel.Add(NsPerCall(RunUnderSeccompRun(plain)));
            }
        }
        finally
        {
            await client.DestroyAsync(sandbox).ConfigureAwait(false);
            File.Delete(plain);
        }

        return
        [
            ("refused, in-kernel errno (plain program, no daemon) — peer", [.. inKernel]),
            ("refused, through the daemon's listener (recorded, rate-limited)", [.. listened]),
            ("allowed (getpid) in a sandbox", [.. allowed]),
        ];
    }

    private static async Task<string> RunInSandboxAsync(SandboxesClient client, string sandbox, string script, byte[]? stdin)
    {
        var request = new ExecuteRequest { SandboxId = sandbox, Argv = { "/bin/sh", "-c", script } };
        if (stdin is not null)
            request.Stdin = ByteString.CopyFrom(stdin);
        var stderr = new StringBuilder();
        ExitStatus? exit = null;
        await foreach (var message in client.ExecuteAsync(request, Deadline).ConfigureAwait(false))
        {
            if (message.PayloadCase == ExecuteResponse.PayloadOneofCase.Stderr)
                stderr.Append(message.Stderr.ToStringUtf8());
            else if (message.PayloadCase == ExecuteResponse.PayloadOneofCase.Exit)
                exit = message.Exit;
        }
        if (exit is null || exit.ExitCode != 0)
            throw new InvalidOperationException($"'{script}' in the sandbox did not exit 0: {exit} {stderr}");
        return stderr.ToString();
    }

    private string RunUnderSeccompRun(string program)
    {
        var start = new ProcessStartInfo(seccompRun) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { program, "--", syscallTry, "unshare_net", Calls.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("seccomp-run did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return stderr.Result;
    }

    /// <summary>syscall-try's stderr line "NAME xCOUNT ns=T".</summary>
    private static double NsPerCall(string stderr)
    {
        var at = stderr.LastIndexOf("ns=", StringComparison.Ordinal);
        if (at < 0)
            throw new InvalidOperationException($"no timing in syscall-try's output: {stderr}");
        var digits = new string([.. stderr[(at + 3)..].TakeWhile(char.IsAsciiDigit)]);
        return long.Parse(digits, CultureInfo.InvariantCulture) / (double)Calls;
    }
}
