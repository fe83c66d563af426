using System.Diagnostics;
using Sandboxd.Isolation.Seccomp;

namespace Sandboxd.Tests.Seccomp;

/// <summary>Runs a command under a compiled profile through tests/probe/build/seccomp-run, which
/// installs the program exactly as native/ will (no_new_privs, then SECCOMP_SET_MODE_FILTER).</summary>
internal static class SeccompRun
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(SeccompProfile profile, params string[] command) =>
        RunProgram(SeccompCompiler.Compile(profile), command);

    /// <summary>syscall-try's one line for <paramref name="name"/> under <paramref name="profile"/>.</summary>
    public static string Try(SeccompProfile profile, string name)
    {
        var result = Run(profile, SeccompTestPaths.SyscallTry, name);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"syscall-try {name} exited {result.ExitCode}: {result.Stderr}");
        return result.Stdout.Trim();
    }

    public static Result RunProgram(byte[] program, params string[] command)
    {
        var path = Path.Combine(Path.GetTempPath(), $"sbx-seccomp-{Guid.NewGuid():N}.bpf");
        File.WriteAllBytes(path, program);
        try
        {
            var start = new ProcessStartInfo(SeccompTestPaths.SeccompRun)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.ArgumentList.Add(path);
            start.ArgumentList.Add("--");
            foreach (var arg in command)
                start.ArgumentList.Add(arg);

            using var process = Process.Start(start) ?? throw new InvalidOperationException("seccomp-run did not start");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"seccomp-run {string.Join(' ', command)} did not finish in 30 s");
            }

            return new Result(process.ExitCode, stdout.Result, stderr.Result);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
