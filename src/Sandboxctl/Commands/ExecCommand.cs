using System.CommandLine;
using Google.Protobuf;
using Sandboxd.Api.V1;

namespace Sandboxd.Ctl.Commands;

/// <summary>exec ID [--timeout S] [--env K=V]… [--cwd DIR] [--user U] [--json] -- CMD ARG…: output
/// streams live; exits with the command's code, 128+N for signal N, like a shell. A kill by a limit
/// (memory, pids, the timeout) is said in one line on stderr; --json adds the whole exit status
/// there as one JSON line.</summary>
internal static class ExecCommand
{
    public static Command Build()
    {
        var id = new Argument<string>("id") { Description = "sandbox id" };
        var argv = new Argument<string[]>("command") { Description = "the command and its arguments (after --)", Arity = ArgumentArity.OneOrMore };
        var timeout = new Option<double?>("--timeout") { Description = "kill the command after this many seconds" };
        var env = new Option<string[]>("--env") { Description = "K=V, repeatable", AllowMultipleArgumentsPerToken = false };
        var cwd = new Option<string?>("--cwd") { Description = "working directory inside the sandbox" };
        var user = new Option<string?>("--user") { Description = "user (default), root, or a uid" };
        var json = new Option<bool>("--json") { Description = "also print the exit status (limits hit, CPU time, peak memory) as JSON on stderr" };
        var detach = new Option<bool>("--detach", "-d") { Description = "start it in the background and print its execution id" };
        var interactive = new Option<bool>("--interactive", "-i") { Description = "keep stdin open (with -t: keys go to the command)" };
        var tty = new Option<bool>("--tty", "-t") { Description = "run it on a terminal in the sandbox (raw mode here, window size forwarded)" };
        var tag = new Option<string?>("--tag") { Description = "with -d: a label for `sandboxctl ps`" };
        var command = new Command("exec", "run a command in a sandbox") { id, argv, timeout, env, cwd, user, json, detach, interactive, tty, tag };
        command.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            var request = new ExecuteRequest { SandboxId = result.GetValue(id)!, Cwd = result.GetValue(cwd) ?? "", User = result.GetValue(user) ?? "" };
            request.Argv.Add(result.GetValue(argv)!);
            foreach (var pair in result.GetValue(env) ?? [])
            {
                int eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    await Console.Error.WriteLineAsync($"sandboxctl: --env '{pair}': expected K=V");
                    return 2;
                }
                request.Env[pair[..eq]] = pair[(eq + 1)..];
            }
            if (result.GetValue(detach) || result.GetValue(tty))
                return await ExecutionCommands.StartAsync(result, request, result.GetValue(detach), result.GetValue(tag) ?? "", cancel);
            if (result.GetValue(timeout) is { } seconds)
                request.TimeoutMs = (uint)Math.Max(1, seconds * 1000);
            // stdin is passed through when it is a pipe or file, never when it is a terminal.
            if (Console.IsInputRedirected)
                request.Stdin = await ByteString.FromStreamAsync(Console.OpenStandardInput(), cancel);
            return await StreamAsync(result, request, result.GetValue(json), cancel);
        }));
        return command;
    }

    private static async Task<int> StreamAsync(ParseResult result, ExecuteRequest request, bool json, CancellationToken cancel)
    {
        using var client = CommonOptions.Connect(result);
        await using var stdout = Console.OpenStandardOutput();
        await using var stderr = Console.OpenStandardError();
        await foreach (var message in client.ExecuteAsync(request, cancel: cancel))
        {
            switch (message.PayloadCase)
            {
                case ExecuteResponse.PayloadOneofCase.Stdout:
                    await stdout.WriteAsync(message.Stdout.Memory, cancel);
                    await stdout.FlushAsync(cancel);
                    break;
                case ExecuteResponse.PayloadOneofCase.Stderr:
                    await stderr.WriteAsync(message.Stderr.Memory, cancel);
                    await stderr.FlushAsync(cancel);
                    break;
                case ExecuteResponse.PayloadOneofCase.Exit:
                    var exit = message.Exit;
                    if (await KilledBecauseAsync(client, request, exit, cancel) is { } reason)
                        await Console.Error.WriteLineAsync($"sandboxctl: command killed: {reason}");
                    if (json)
                        await Console.Error.WriteLineAsync(CommonOptions.ToJsonLine(exit));
                    return exit.Signal != 0 ? 128 + exit.Signal : exit.ExitCode;
            }
        }
        await Console.Error.WriteLineAsync("sandboxctl: the stream ended without an exit status");
        return 1;
    }

    /// <summary>Which limit killed the command, with the limit's value; null when none did.</summary>
    private static async Task<string?> KilledBecauseAsync(Sandboxd.Api.Client.SandboxesClient client, ExecuteRequest request,
        ExitStatus exit, CancellationToken cancel)
    {
        if (exit.TimedOut)
            return $"timed out after {request.TimeoutMs} ms";
        if (!exit.OomKilled && !exit.PidsLimitHit)
            return null;
        var limits = (await client.GetAsync(request.SandboxId, cancel)).Limits;
        return exit.OomKilled
            ? $"out of memory (limit {ResourceOptions.FormatSize(limits?.MemoryBytes ?? 0)})"
            : $"process limit reached (limit {limits?.Pids ?? 0} processes)";
    }
}
