using System.CommandLine;
using Sandboxd.Api.Client;
using Sandboxd.Api.V1;

namespace Sandboxd.Ctl.Commands;

/// <summary>Executions as objects: `exec -d` / `exec -it`, `attach`, `ps`, `kill`.</summary>
internal static class ExecutionCommands
{
    public static async Task<int> StartAsync(ParseResult result, ExecuteRequest exec, bool detach, string tag, CancellationToken cancel)
    {
        using var connection = CommonOptions.Connect(result);
        var client = new ExecutionsClient(connection.Connection);
        var start = new StartExecutionRequest { SandboxId = exec.SandboxId, Cwd = exec.Cwd, User = exec.User, Tag = tag, Argv = { exec.Argv } };
        foreach (var (k, v) in exec.Env)
            start.Env[k] = v;
        if (!detach)
            return await TerminalSession.RunAsync(client, start, cancel);
        start.Tty = false;
        var info = await client.StartAsync(start, cancel);
        Console.WriteLine(info.ExecutionId);
        return 0;
    }

    public static Command Attach()
    {
        var id = new Argument<string>("id") { Description = "sandbox id" };
        var exec = new Argument<string>("execution") { Description = "execution id (from `exec -d` or `ps`)" };
        var command = new Command("attach", "replay what an execution's buffers still hold, follow it live, exit with its code") { id, exec };
        command.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            using var connection = CommonOptions.Connect(result);
            var client = new ExecutionsClient(connection.Connection);
            await using var stdout = Console.OpenStandardOutput();
            await using var stderr = Console.OpenStandardError();
            var request = new AttachRequest { SandboxId = result.GetValue(id)!, ExecutionId = result.GetValue(exec)! };
            await foreach (var m in client.AttachAsync(request, cancel))
            {
                switch (m.PayloadCase)
                {
                    case AttachResponse.PayloadOneofCase.Stdout:
                        await stdout.WriteAsync(m.Stdout.Data.Memory, cancel);
                        await stdout.FlushAsync(cancel);
                        break;
                    case AttachResponse.PayloadOneofCase.Stderr:
                        await stderr.WriteAsync(m.Stderr.Data.Memory, cancel);
                        await stderr.FlushAsync(cancel);
                        break;
                    case AttachResponse.PayloadOneofCase.Lost:
                        await Console.Error.WriteLineAsync($"sandboxctl: {m.Lost.Bytes} bytes of {m.Lost.Stream} were lost (the buffer wrapped)");
                        break;
                    case AttachResponse.PayloadOneofCase.Exit:
                        return m.Exit.Signal != 0 ? 128 + m.Exit.Signal : m.Exit.ExitCode;
                }
            }
            return 1;
        }));
        return command;
    }

    public static Command Ps()
    {
        var id = new Argument<string>("id") { Description = "sandbox id" };
        var json = CommonOptions.Json();
        var command = new Command("ps", "list a sandbox's executions") { id, json };
        command.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            using var connection = CommonOptions.Connect(result);
            var list = await new ExecutionsClient(connection.Connection).ListAsync(result.GetValue(id)!, cancel);
            if (result.GetValue(json))
            {
                Console.WriteLine(CommonOptions.ToJson(list));
                return 0;
            }
            Console.WriteLine($"{"EXECUTION",-24} {"PID",6} {"STATE",-8} {"EXIT",5} {"TAG",-12} COMMAND");
            foreach (var e in list.Executions)
            {
                var state = e.State == ExecutionState.Running ? "running" : "exited";
                var exit = e.Exit is null ? "" : e.Exit.Signal != 0 ? $"sig{e.Exit.Signal}" : e.Exit.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
                Console.WriteLine($"{e.ExecutionId,-24} {e.Pid,6} {state,-8} {exit,5} {e.Tag,-12} {string.Join(' ', e.Argv)}");
            }
            return 0;
        }));
        return command;
    }

    public static Command Kill()
    {
        var id = new Argument<string>("id") { Description = "sandbox id" };
        var exec = new Argument<string>("execution") { Description = "execution id" };
        var signal = new Argument<string?>("signal") { Description = "a signal to send instead (TERM, INT, 15…); without it every process of the execution is killed", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("kill", "kill an execution's whole process tree (returns once it is gone), or send it a signal") { id, exec, signal };
        command.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            using var connection = CommonOptions.Connect(result);
            var client = new ExecutionsClient(connection.Connection);
            string sandbox = result.GetValue(id)!, execution = result.GetValue(exec)!;
            if (result.GetValue(signal) is { } name && Signals.Parse(name) != 9)
                await client.SignalAsync(sandbox, execution, Signals.Parse(name), cancel);
            else
                await client.KillAsync(sandbox, execution, cancel);
            return 0;
        }));
        return command;
    }
}
