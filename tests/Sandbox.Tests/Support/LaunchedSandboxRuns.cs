using System.Text;
using Sandboxd.Isolation.Execution;
using Sandboxd.Isolation.Launch;

namespace Sandboxd.Tests.Support;

/// <summary>Runs a shell script over a launched sandbox's init channel (no daemon in between) and
/// collects what it printed, stdout and stderr interleaved.</summary>
public static class LaunchedSandboxRuns
{
    public static Task<(int Exit, string Output)> RunAsync(this LaunchedSandbox sandbox, uint uid, uint gid, string script,
        params string[] env) => sandbox.RunWithStdinAsync(uid, gid, script, default, env);

    public static async Task<(int Exit, string Output)> RunWithStdinAsync(this LaunchedSandbox sandbox, uint uid, uint gid, string script,
        ReadOnlyMemory<byte> stdin, params string[] env)
    {
        var output = new StringBuilder();
        var spec = new ExecSpec(["/bin/sh", "-c", script], ["PATH=/usr/bin:/bin", .. env], "/", uid, gid);
        var result = await CommandRunner.RunAsync(sandbox.Channel, spec, stdin,
            (_, data) => { lock (output) output.Append(Encoding.UTF8.GetString(data.Span)); return ValueTask.CompletedTask; },
            null, CancellationToken.None);
        return (result.ExitCode, output.ToString());
    }

    /// <summary>Copies a host binary in through stdin to /tmp/NAME, then runs <paramref name="script"/>.</summary>
    public static Task<(int Exit, string Output)> RunWithBinaryAsync(this LaunchedSandbox sandbox, uint uid, uint gid,
        string hostBinary, string script)
    {
        var name = Path.GetFileName(hostBinary);
        return sandbox.RunWithStdinAsync(uid, gid, $"cat > /tmp/{name} && chmod +x /tmp/{name} && {script}", File.ReadAllBytes(hostBinary));
    }
}
