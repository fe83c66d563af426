using System.Diagnostics;
using Sandboxd.Api.Client;

namespace Sandboxd.Bench;

/// <summary>A sandboxd of the bench's own, on a fresh temp state root and socket, so the numbers
/// never depend on (or disturb) a daemon already running on the host. Stopped with SIGTERM by
/// pid — the daemon destroys its sandboxes on the way out — then the temp root is removed.</summary>
public sealed class BenchDaemon : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(20);

    private readonly Process _process;
    private readonly List<string> _log = [];
    private readonly string _root;

    private BenchDaemon(string executable, IEnumerable<string> extraArgs)
    {
        _root = Directory.CreateTempSubdirectory("sbxbench-").FullName;
        // Searchable by the host ids of user-namespace sandboxes (it is made 0700).
        File.SetUnixFileMode(_root, (UnixFileMode)0x1ED);
        var stateDir = Directory.CreateDirectory(Path.Combine(_root, "state")).FullName;
        var runtimeDir = Directory.CreateDirectory(Path.Combine(_root, "run")).FullName;
        Socket = Path.Combine(runtimeDir, "sandboxd.sock");
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        // Destroyed on exit: the bench leaves nothing running behind it.
        foreach (var arg in new[] { "--socket", Socket, "--state-dir", stateDir, "--runtime-dir", runtimeDir, "--destroy-on-exit" }.Concat(extraArgs))
            start.ArgumentList.Add(arg);
        _process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        // Drained continuously: a full pipe would stall the daemon mid-benchmark.
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Socket { get; }

    public int Pid => _process.Id;

    public string Log
    {
        get
        {
            lock (_log)
                return string.Join('\n', _log);
        }
    }

    public int LogLineCount
    {
        get
        {
            lock (_log)
                return _log.Count;
        }
    }

    /// <summary>The log's lines from index <paramref name="from"/> on (see <see cref="LogLineCount"/>).</summary>
    public IReadOnlyList<string> LogLinesFrom(int from)
    {
        lock (_log)
            return _log.Skip(from).ToList();
    }

    /// <summary>Starts the daemon (with any extra options, e.g. --dns-map) and waits until its socket exists.</summary>
    public static BenchDaemon Start(string executable, IEnumerable<string>? extraArgs = null)
    {
        var daemon = new BenchDaemon(executable, extraArgs ?? []);
        try
        {
            daemon.WaitForSocket();
            return daemon;
        }
        catch
        {
            daemon.Dispose();
            throw;
        }
    }

    public SandboxesClient Connect() => SandboxesClient.ForUnixSocket(Socket);

    public void Dispose()
    {
        Stop();
        _process.Dispose();
        // Sandboxes' mounts live in their own mount namespaces, so the root holds plain dirs.
        Directory.Delete(_root, recursive: true);
    }

    private void WaitForSocket()
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(StartTimeout.TotalSeconds * Stopwatch.Frequency);
        while (!File.Exists(Socket))
        {
            if (_process.HasExited || Stopwatch.GetTimestamp() > deadline)
                throw new InvalidOperationException("sandboxd did not start:\n" + Log);
            Thread.Sleep(20);
        }
    }

    private void Stop()
    {
        if (_process.HasExited)
            return;
        Posix.Kill(_process.Id, Posix.SIGTERM);
        if (_process.WaitForExit(StopTimeout))
            return;
        // Only our own child, by pid: it ignored SIGTERM, so its log says why.
        Console.Error.WriteLine("sandboxd did not stop on SIGTERM; killing it. Log:\n" + Log);
        _process.Kill();
        _process.WaitForExit();
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_log)
            _log.Add(line);
    }
}
