using System.Diagnostics;

namespace Sandboxd.Bench;

/// <summary>The peer: one bubblewrap sandbox per run with every namespace unshared, the host's
/// /usr read-only, and fresh /proc, /dev and /tmp — roughly sandboxd's default image.</summary>
public sealed class BwrapPeer(string executable)
{
    private static readonly string[] Arguments =
    [
        "--unshare-all", "--die-with-parent",
        "--ro-bind", "/usr", "/usr",
        "--symlink", "usr/bin", "/bin",
        "--symlink", "usr/lib", "/lib",
        "--symlink", "usr/lib64", "/lib64",
        "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
        "/bin/true",
    ];

    public static string CommandLine => "bwrap " + string.Join(' ', Arguments);

    public async Task RunOnceAsync()
    {
        var start = new ProcessStartInfo(executable) { UseShellExecute = false };
        foreach (var argument in Arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{CommandLine} exited {process.ExitCode}");
    }
}
