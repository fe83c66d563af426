using System.Diagnostics;
using System.Text;
using Sandboxd.Api.Client;

namespace Sandboxd.Tests.Support;

/// <summary>A real sandboxd process on its own temp state root and socket. Stopped with
/// SIGTERM (by pid) on dispose; its log is kept for failure messages.</summary>
public sealed class DaemonProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private readonly bool _ownsRoot;

    public DaemonProcess() : this(new TempRoot(), ownsRoot: true)
    {
    }

    /// <summary>A daemon with extra command-line options (e.g. --dns-map).</summary>
    public DaemonProcess(IEnumerable<string> extraArgs) : this(new TempRoot(), ownsRoot: true, extraArgs)
    {
    }

    /// <summary>A daemon on an existing state root: a restart after a crash.</summary>
    public DaemonProcess(TempRoot root, bool ownsRoot, IEnumerable<string>? extraArgs = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        Root = root;
        _ownsRoot = ownsRoot;
        Socket = Path.Combine(Root.RuntimeDir, "sandboxd.sock");
        // A crashed predecessor's socket file must not pass for this daemon being ready.
        File.Delete(Socket);
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "sandboxd"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        foreach (var arg in new[] { "--socket", Socket, "--state-dir", Root.StateDir, "--runtime-dir", Root.RuntimeDir }.Concat(extraArgs ?? []))
            start.ArgumentList.Add(arg);
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        // The socket file appears at bind(), a moment before listen(): ready is when a connect succeeds.
        while (!File.Exists(Socket) || !Accepts(Socket))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
                throw new InvalidOperationException("sandboxd did not start:\n" + Log);
            Thread.Sleep(20);
        }
        Client = SandboxesClient.ForUnixSocket(Socket);
        // The socket file appears at bind(), a moment before the server accepts: ready means answering.
        while (true)
        {
            try
            {
                Client.ListAsync().GetAwaiter().GetResult();
                break;
            }
            catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.Unavailable && DateTime.UtcNow < deadline && !_process.HasExited)
            {
                Thread.Sleep(20);
            }
        }
    }

    public TempRoot Root { get; }

    private static bool Accepts(string socketPath)
    {
        using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream,
            System.Net.Sockets.ProtocolType.Unspecified);
        try
        {
            probe.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(socketPath));
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    public string Socket { get; }

    public SandboxesClient Client { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    /// <summary>SIGTERM and wait: the daemon destroys its sandboxes on the way out.</summary>
    public void Stop()
    {
        if (_process.HasExited)
            return;
        Posix.Kill(_process.Id, Posix.SIGTERM);
        if (!_process.WaitForExit(TimeSpan.FromSeconds(20)))
        {
            _process.Kill();
            _process.WaitForExit();
        }
    }

    /// <summary>kill -9: nothing of the daemon's own shutdown runs.</summary>
    public void Crash()
    {
        Posix.Kill(_process.Id, Posix.SIGKILL);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        Client.Dispose();
        Stop();
        _process.Dispose();
        if (_ownsRoot)
            Root.Dispose();
    }
}
