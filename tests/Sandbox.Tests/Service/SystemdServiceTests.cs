using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Sandboxd.Api.Client;
using Sandboxd.Api.V1;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Service;

/// <summary>packaging/sandboxd.service run the way systemd runs it: its ExecStart under a parent
/// named systemd, with NOTIFY_SOCKET set to a datagram socket this test binds, inside the
/// unit's capability bounding set and no_new_privs (setpriv). READY=1 must come only once the
/// socket serves, ExecReload must reload the config, and SIGTERM must bring STOPPING=1.</summary>
public sealed class SystemdServiceTests
{
    private static readonly string Script = Path.Combine(AppContext.BaseDirectory, "Service", "as_systemd.py");

    [RootFact]
    public async Task The_units_command_line_notifies_ready_once_the_socket_serves_reloads_on_ExecReload_and_notifies_stopping()
    {
        var unit = UnitFile.Load(Path.Combine(RepoPaths.Root, "packaging", "sandboxd.service"));
        Assert.Equal("notify", unit.Service("Type"));
        Assert.Equal("yes", unit.Service("NoNewPrivileges"));
        using var root = new TempRoot();
        var etc = Path.Combine(root.Path, "etc");
        Directory.CreateDirectory(Path.Combine(etc, "sandboxd"));
        File.Copy(Path.Combine(RepoPaths.Root, "packaging", "sandboxd.yaml"), Path.Combine(etc, "sandboxd", "sandboxd.yaml"));
        var socket = Path.Combine(root.RuntimeDir, "sandboxd.sock");
        var tag = "sbxu" + Environment.ProcessId % 100000;
        // The unit's own command line; then this test's own dirs and ports, which override its defaults.
        var execStart = UnitFile.Words(unit.Service("ExecStart")
            .Replace("@BINDIR@", AppContext.BaseDirectory.TrimEnd('/'), StringComparison.Ordinal)
            .Replace("@SYSCONFDIR@", etc, StringComparison.Ordinal));
        string[] overrides = ["--socket", socket, "--state-dir", root.StateDir, "--runtime-dir", root.RuntimeDir,
            "--metrics", $"127.0.0.1:{MetricsScrape.FreePort()}", "--egress-table", tag, "--egress-pool", "10.214.77.0/24"];
        var caps = UnitFile.Words(unit.Service("CapabilityBoundingSet"));
        string[] setpriv = ["/usr/bin/setpriv", "--no-new-privs",
            "--bounding-set", "-all," + string.Join(",", caps.Select(c => "+" + c["CAP_".Length..].ToLowerInvariant()))];

        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        var notifyPath = Path.Combine(root.Path, "notify");
        notify.Bind(new UnixDomainSocketEndPoint(notifyPath));
        using var service = new ServiceProcess(Script, [notifyPath, .. setpriv, .. execStart, .. overrides]);

        var ready = await ReceiveAsync(notify, "READY=1", service);
        // READY=1 means serving: a call made the moment it arrives is answered, on a socket already 0660.
        using (var client = SandboxesClient.ForUnixSocket(socket))
        {
            await client.ListAsync();
            Assert.Equal((UnixFileMode)0x1B0, File.GetUnixFileMode(socket) & (UnixFileMode)0x1FF);
            Assert.Contains("READY=1", ready, StringComparison.Ordinal);
            // The unit's set, less what this test's own process lacks (setpriv cannot add those back).
            Assert.Equal(CapMask(caps) & CapBnd(Environment.ProcessId), CapBnd(service.DaemonPid));

            // The unit's privileges suffice for a sandbox with egress (veth, nft) and a command in it.
            var sandbox = await client.CreateAsync(new CreateRequest { Network = new NetworkConfig { Mode = NetworkMode.Egress, Policy = new EgressPolicy() } });
            Assert.Equal("in\n", (await client.RunAsync(sandbox.Id, ["/bin/echo", "in"])).Stdout);
            await client.PauseAsync(sandbox.Id);
            await client.DestroyAsync(sandbox.Id);
        }

        // ExecReload as the unit has it, with $MAINPID: the config is read again.
        var reload = UnitFile.Words(unit.Service("ExecReload").Replace("$MAINPID", service.DaemonPid.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        var loaded = $"config {Path.Combine(etc, "sandboxd", "sandboxd.yaml")} loaded";
        Assert.Equal(1, Occurrences(service.Log, loaded));
        using (var kill = Process.Start(reload[0], reload[1..]))
            await kill.WaitForExitAsync();
        await WaitUntilAsync(() => Occurrences(service.Log, loaded) == 2, service);

        Posix.Kill(service.DaemonPid, Posix.SIGTERM);
        await ReceiveAsync(notify, "STOPPING=1", service);
        Assert.Equal(0, await service.WaitAsync());
    }

    private static async Task<string> ReceiveAsync(Socket notify, string state, ServiceProcess service)
    {
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = new StringBuilder();
        while (true)
        {
            int n;
            try
            {
                n = await notify.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no {state}; notifications: [{seen}]\n{service.Log}");
            }
            var message = Encoding.UTF8.GetString(buffer, 0, n);
            seen.Append(message).Append(';');
            if (message.Split('\n').Contains(state))
                return message;
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, ServiceProcess service)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("reload not seen:\n" + service.Log);
            await Task.Delay(50);
        }
    }

    private static int Occurrences(string text, string part) => text.Split(part).Length - 1;

    private static ulong CapBnd(int pid) => Convert.ToUInt64(File.ReadLines($"/proc/{pid}/status")
        .Single(l => l.StartsWith("CapBnd:", StringComparison.Ordinal))["CapBnd:".Length..].Trim(), 16);

    private static ulong CapMask(IEnumerable<string> caps) => caps.Aggregate(0UL, (mask, cap) => mask | 1UL << CapNumber(cap));

    private static int CapNumber(string cap) => cap switch
    {
        "CAP_CHOWN" => 0, "CAP_DAC_OVERRIDE" => 1, "CAP_DAC_READ_SEARCH" => 2, "CAP_FOWNER" => 3, "CAP_FSETID" => 4,
        "CAP_KILL" => 5, "CAP_SETGID" => 6, "CAP_SETUID" => 7, "CAP_SETPCAP" => 8, "CAP_NET_BIND_SERVICE" => 10,
        "CAP_NET_ADMIN" => 12, "CAP_NET_RAW" => 13, "CAP_SYS_CHROOT" => 18, "CAP_SYS_PTRACE" => 19, "CAP_SYS_ADMIN" => 21,
        "CAP_SYS_RESOURCE" => 24, "CAP_MKNOD" => 27, "CAP_AUDIT_WRITE" => 29, "CAP_SETFCAP" => 31,
        _ => throw new ArgumentException($"add {cap} to the test's table"),
    };

    /// <summary>as_systemd.py and the daemon it started; its output is kept for failure messages.</summary>
    private sealed class ServiceProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _log = new();
        private readonly TaskCompletionSource<int> _pid = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ServiceProcess(string script, IEnumerable<string> args)
        {
            var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(script);
            foreach (var arg in args)
                start.ArgumentList.Add(arg);
            _process = Process.Start(start)!;
            _process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null)
                    return;
                if (!_pid.Task.IsCompleted && int.TryParse(e.Data, out var pid))
                    _pid.TrySetResult(pid);
                lock (_log)
                    _log.AppendLine(e.Data);
            };
            _process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            DaemonPid = _pid.Task.WaitAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
        }

        public int DaemonPid { get; }

        public string Log
        {
            get
            {
                lock (_log)
                    return _log.ToString();
            }
        }

        public async Task<int> WaitAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(timeout.Token);
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                Posix.Kill(DaemonPid, Posix.SIGTERM);
                if (!_process.WaitForExit(TimeSpan.FromSeconds(20)))
                {
                    Posix.Kill(DaemonPid, Posix.SIGKILL);
                    _process.WaitForExit();
                }
            }
            _process.Dispose();
        }
    }
}
