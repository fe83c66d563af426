using System.Diagnostics;
using System.Net.Sockets;

namespace Sandboxd.Tests.Network;

/// <summary>Stands in for a sandbox's init: a process in its own netns with loopback up, as the
/// native launcher leaves it. Killed by its pid on dispose.</summary>
internal sealed class FakeSandbox : IDisposable
{
    private readonly Process _process;

    private FakeSandbox(Process process) => _process = process;

    public int Pid => _process.Id;

    public string NetnsPath => $"/proc/{Pid}/ns/net";

    public static async Task<FakeSandbox> StartAsync()
    {
        var info = new ProcessStartInfo("unshare") { RedirectStandardOutput = true };
        foreach (var arg in new[] { "--net", "sh", "-c", "ip link set lo up && echo ready && exec sleep 1000" })
            info.ArgumentList.Add(arg);
        var process = Process.Start(info)!;
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
        if (line != "ready")
        {
            process.Kill();
            process.Dispose();
            throw new InvalidOperationException("fake sandbox did not start");
        }
        return new FakeSandbox(process);
    }

    /// <summary>A socket that lives in the sandbox's netns: what a program inside would get.</summary>
    public Socket Socket(AddressFamily family, SocketType type, ProtocolType protocol) =>
        NetnsThread.Run(NetnsPath, () => new Socket(family, type, protocol));

    /// <summary>Runs a program inside the sandbox's netns (nsenter), with extra environment.</summary>
    public Task<(int Code, string Out, string Err)> RunAsync(IReadOnlyDictionary<string, string> env, params string[] argv) =>
        Shell.RunAsync("nsenter", [$"--net={NetnsPath}", "--", .. argv], env);

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill();
        _process.WaitForExit();
        _process.Dispose();
    }
}
