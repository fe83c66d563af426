using System.Diagnostics;
using Sandboxd.Audit.Redis;

namespace Sandboxd.Tests.Audit;

/// <summary>A private redis-server on a Unix socket in the test's temp dir (no TCP port, no
/// persistence), killed by its own pid afterwards.</summary>
internal sealed class RedisServerProcess : IDisposable
{
    private readonly Process _process;

    public RedisServerProcess(string dir)
    {
        SocketPath = Path.Combine(dir, "redis.sock");
        _process = Process.Start(new ProcessStartInfo("redis-server",
            ["--port", "0", "--unixsocket", SocketPath, "--save", "", "--appendonly", "no", "--dir", dir])
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

    public void Dispose()
    {
        _process.Kill();
        _process.WaitForExit();
        _process.Dispose();
    }

    private bool Ready()
    {
        if (!File.Exists(SocketPath))
            return false;
        try
        {
            using var client = new RedisClient(RedisEndpoint.Parse(Url));
            client.XRange("probe", "-", "+", 1);
            return true;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
}
