using System.Diagnostics;
using System.Globalization;

namespace Sandboxd.Tests.Support;

/// <summary>Runs sandboxctl against a daemon's socket.</summary>
public static class Sandboxctl
{
    public sealed record Result(int Code, string Stdout, string Stderr);

    /// <summary>The JIT build in the test output directory (what a change to sandboxctl's code
    /// is tested with before `make build` publishes the native one).</summary>
    public static Task<Result> RunAsync(string socket, string? stdin, params string[] args) =>
        RunBinaryAsync(Path.Combine(AppContext.BaseDirectory, "sandboxctl"), socket, stdin, args);

    /// <summary>`make build`'s NativeAOT binary, the one bin/sandboxctl runs.</summary>
    public static string NativeBinary => Path.Combine(RepoPaths.Root, "out", "sandboxctl", "sandboxctl");

    /// <summary>The JIT build as another uid (setpriv; in <paramref name="gid"/> only, e.g. the socket's group).</summary>
    public static async Task<Result> AsUidAsync(string socket, int uid, int gid, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("setpriv") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--reuid", uid.ToString(CultureInfo.InvariantCulture), "--regid", gid.ToString(CultureInfo.InvariantCulture),
                     "--clear-groups", "--", Path.Combine(AppContext.BaseDirectory, "sandboxctl"), "--socket", socket }.Concat(args))
            start.ArgumentList.Add(a);
        start.Environment["HOME"] = "/tmp";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    public static Task<Result> RunBinaryAsync(string executable, string socket, string? stdin, params string[] args) =>
        RunBinaryAsync(executable, socket, stdin, new Dictionary<string, string>(), args);

    /// <summary>The JIT build with <paramref name="environment"/> added to the test's own.</summary>
    public static Task<Result> RunWithEnvironmentAsync(string socket, IReadOnlyDictionary<string, string> environment, params string[] args) =>
        RunBinaryAsync(Path.Combine(AppContext.BaseDirectory, "sandboxctl"), socket, null, environment, args);

    private static async Task<Result> RunBinaryAsync(string executable, string socket, string? stdin,
        IReadOnlyDictionary<string, string> environment, string[] args)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        start.ArgumentList.Add("--socket");
        start.ArgumentList.Add(socket);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        if (stdin is not null)
            await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
