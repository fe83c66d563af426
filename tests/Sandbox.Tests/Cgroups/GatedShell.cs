using System.Diagnostics;
using Sandboxd.Isolation.Cgroups;

namespace Sandboxd.Tests.Cgroups;

/// <summary>A /bin/sh that waits for a line on stdin before running its script, so the test can move it
/// into a cgroup first and every process the script forks starts inside the group.</summary>
internal sealed class GatedShell : IDisposable
{
    private readonly Process process;

    public GatedShell(string script)
    {
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        // Output goes nowhere: a fork loop at its limit prints an error per refused fork.
        start.ArgumentList.Add("read go; exec >/dev/null 2>&1; " + script);
        process = Process.Start(start) ?? throw new InvalidOperationException("could not start /bin/sh");
    }

    public int Pid => process.Id;

    /// <summary>Starts the script with its first process already in the group.</summary>
    public static GatedShell RunIn(ICgroup group, string script)
    {
        var shell = new GatedShell(script);
        try
        {
            group.AddProcess(shell.Pid);
            shell.Go();
            return shell;
        }
        catch
        {
            shell.Dispose();
            throw;
        }
    }

    public void Go()
    {
        process.StandardInput.WriteLine("go");
        process.StandardInput.Flush();
    }

    public bool WaitForExit(TimeSpan timeout) => process.WaitForExit(timeout);

    /// <summary>Kills this shell and its descendants by pid, in case the cgroup kill did not happen.</summary>
    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // exited in between
        }
        process.Dispose();
    }
}
