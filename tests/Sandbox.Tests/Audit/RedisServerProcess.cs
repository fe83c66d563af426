using System.Diagnostics;
using Sandboxd.Audit.Tiers.Hot;
using StackExchange.Redis;

namespace Sandboxd.Tests.Audit;

/// <summary>A private redis-server on a Unix socket in the test's temp dir (no TCP port), killed
/// (SIGKILL) by its own pid afterwards. Without persistence a restart brings an empty server; with
/// it, every write is in the append-only file before it is acknowledged (appendfsync always), so a
/// restart in the same dir brings back every entry a client was told about.</summary>
internal sealed class RedisServerProcess : IDisposable
{
    private readonly Process _process;
    private bool _disposed;

    public RedisServerProcess(string dir, bool persistent = false)
    {
        SocketPath = Path.Combine(dir, "redis.sock");
        string[] persistence = persistent ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"];
        _process = Process.Start(new ProcessStartInfo("redis-server",
            ["--port", "0", "--unixsocket", SocketPath, "--save", "", .. persistence, "--dir", dir])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        _process.OutputDataReceived += (_, _) => { }; // drain, so a chatty server never blocks on a full pipe
        _process.BeginOutputReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!Ready())
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
                throw new InvalidOperationException("redis-server did not start");
            Thread.Sleep(20);
        }
    }

    public string SocketPath { get; }

    public string Url => "unix://" + SocketPath;

    /// <summary>Kills the server; again is a no-op (a test that restarts Redis may end between the two).</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _process.Kill();
        _process.WaitForExit();
        _process.Dispose();
    }

    /// <summary>Answers a command (a killed server's socket file is still there, and a server
    /// loading its append-only file answers LOADING until it is done).</summary>
    private bool Ready()
    {
        if (!File.Exists(SocketPath))
            return false;
        var options = RedisUrl.ToOptions(Url);
        options.AbortOnConnectFail = true;
        try
        {
            using var client = ConnectionMultiplexer.Connect(options);
            client.GetDatabase().StreamRange("probe", count: 1);
            return true;
        }
        catch (RedisException)
        {
            return false;
        }
    }
}
