using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using AttachResponse = Sandboxd.Api.V1.AttachResponse;
using ExitStatus = Sandboxd.Api.V1.ExitStatus;
using StartExecutionRequest = Sandboxd.Api.V1.StartExecutionRequest;
using Sandboxd.Core.Api;
using Sandboxd.Core.Api.Mapping;
using Sandboxd.Core.E2b.Connect;
using Sandboxd.Core.Orchestration;
using Sandboxd.Core.Orchestration.Executions;
using Sandboxd.E2b.Envd.Process;

namespace Sandboxd.Core.E2b.Envd;

/// <summary>envd's process.Process on the daemon's executions: Start is StartExecution and
/// streams like Attach; a process's pid is its execution's leader pid inside the sandbox, and
/// every call finds it through the orchestrator's (tenant-scoped) lookup of executions.</summary>
public sealed class EnvdProcess(Orchestrator orchestrator, ILogger<EnvdProcess> log)
{
    public Task HandleAsync(HttpContext context, string method) => method switch
    {
        "Start" => ConnectCall.ServerStreamAsync(context, StartRequest.Parser, (r, s, c) => StartAsync(context, r, s, c), log),
        "Connect" => ConnectCall.ServerStreamAsync(context, ConnectRequest.Parser, (r, s, c) => ConnectAsync(context, r, s, c), log),
        "List" => ConnectCall.UnaryAsync(context, ListRequest.Parser, (_, _) => Task.FromResult<IMessage>(List(context)), log),
        "SendInput" => ConnectCall.UnaryAsync(context, SendInputRequest.Parser, (r, c) => SendInputAsync(context, r, c), log),
        "StreamInput" => ConnectCall.ClientStreamAsync(context, StreamInputRequest.Parser, (next, c) => StreamInputAsync(context, next, c), log),
        "SendSignal" => ConnectCall.UnaryAsync(context, SendSignalRequest.Parser, (r, _) => SendSignalAsync(context, r), log),
        "CloseStdin" => ConnectCall.UnaryAsync(context, CloseStdinRequest.Parser, (r, _) => CloseStdin(context, r), log),
        "Update" => ConnectCall.UnaryAsync(context, UpdateRequest.Parser, (r, _) => Update(context, r), log),
        _ => EnvdRoutes.UnknownMethodAsync(context, "process.Process", method),
    };

    private async Task StartAsync(HttpContext context, StartRequest request, ConnectStream stream, CancellationToken cancel)
    {
        var call = EnvdCall.Of(context);
        var user = EnvdCall.UserOf(context.Request);
        var config = request.Process ?? new ProcessConfig();
        if (config.Cmd.Length == 0)
            throw new InvalidFieldException("process.cmd", "required");
        var start = new StartExecutionRequest
        {
            SandboxId = call.SandboxId, Argv = { config.Cmd }, User = user, Tag = request.HasTag ? request.Tag : "",
            Cwd = config.HasCwd && config.Cwd.Length > 0 ? EnvdCall.Absolute(config.Cwd, user) : "",
        };
        start.Argv.AddRange(config.Args);
        foreach (var (k, v) in call.Grant.Env)
            start.Env[k] = v;
        foreach (var (k, v) in config.Envs)
            start.Env[k] = v;
        if (request.Pty?.Size is { } size)
        {
            start.Tty = true;
            start.Rows = size.Rows;
            start.Cols = size.Cols;
        }
        var execution = await orchestrator.StartExecutionAsync(start.FromProto()).ConfigureAwait(false);
        // envd closes a process's stdin at start unless asked to keep it (a terminal keeps its own).
        if (!start.Tty && !(request.HasStdin && request.Stdin))
            execution.Command.CloseInput();
        await FollowAsync(context, execution, stream, 0, 0, cancel).ConfigureAwait(false);
    }

    private async Task ConnectAsync(HttpContext context, ConnectRequest request, ConnectStream stream, CancellationToken cancel)
    {
        var execution = Find(context, request.Process, running: true);
        // As envd: output from the moment of the connect on.
        await FollowAsync(context, execution, stream, execution.Command.Stdout.End, execution.Command.Stderr.End, cancel).ConfigureAwait(false);
    }

    /// <summary>start{pid}, then the output as data events, then end: the Executions service's
    /// own follower (ExecutionsService.FollowAsync) translated to envd's events.</summary>
    private static async Task FollowAsync(HttpContext context, Execution execution, ConnectStream stream, long stdoutAt, long stderrAt,
        CancellationToken cancel)
    {
        var pid = (uint)execution.Command.Pid;
        bool tty = execution.Command.IsTerminal;
        await stream.WriteAsync(Event(new ProcessEvent { Start = new ProcessEvent.Types.StartEvent { Pid = pid } }), cancel).ConfigureAwait(false);
        stream.KeepAlive(context.Request, () => Event(new ProcessEvent { Keepalive = new ProcessEvent.Types.KeepAlive() }), cancel);
        await ExecutionsService.FollowAsync(execution, stdoutAt, stderrAt, (m, c) => m.PayloadCase switch
        {
            AttachResponse.PayloadOneofCase.Stdout => stream.WriteAsync(Event(new ProcessEvent
            {
                Data = tty ? new ProcessEvent.Types.DataEvent { Pty = m.Stdout.Data } : new ProcessEvent.Types.DataEvent { Stdout = m.Stdout.Data },
            }), c),
            AttachResponse.PayloadOneofCase.Stderr => stream.WriteAsync(Event(new ProcessEvent
            {
                Data = new ProcessEvent.Types.DataEvent { Stderr = m.Stderr.Data },
            }), c),
            AttachResponse.PayloadOneofCase.Exit => stream.WriteAsync(Event(new ProcessEvent { End = End(m.Exit) }), c),
            _ => Task.CompletedTask,
        }, cancel).ConfigureAwait(false);
    }

    /// <summary>Start's and Connect's responses are the same message on the wire.</summary>
    private static StartResponse Event(ProcessEvent e) => new() { Event = e };

    /// <summary>As Go's ProcessState says it: "exit status N" or "signal: killed".</summary>
    private static ProcessEvent.Types.EndEvent End(ExitStatus exit)
    {
        var end = new ProcessEvent.Types.EndEvent
        {
            ExitCode = exit.Signal != 0 ? -1 : exit.ExitCode,
            Exited = exit.Signal == 0,
            Status = exit.Signal != 0 ? "signal: " + SignalName(exit.Signal) : "exit status " + exit.ExitCode,
        };
        if (end.ExitCode != 0)
            end.Error = exit.OomKilled ? end.Status + " (out of memory)" : end.Status;
        return end;
    }

    private static string SignalName(int signal) => signal switch
    {
        9 => "killed",
        15 => "terminated",
        2 => "interrupt",
        1 => "hangup",
        _ => "signal " + signal,
    };

    private ListResponse List(HttpContext context)
    {
        var response = new ListResponse();
        foreach (var e in orchestrator.ListExecutions(EnvdCall.Of(context).SandboxId).Where(e => !e.Command.HasExited))
        {
            var info = new ProcessInfo
            {
                Pid = (uint)e.Command.Pid,
                Config = new ProcessConfig { Cmd = e.Argv[0], Args = { e.Argv.Skip(1) } },
            };
            if (e.Tag.Length > 0)
                info.Tag = e.Tag;
            response.Processes.Add(info);
        }
        return response;
    }

    private async Task<IMessage> SendInputAsync(HttpContext context, SendInputRequest request, CancellationToken cancel)
    {
        await WriteInputAsync(Find(context, request.Process, running: true), request.Input, cancel).ConfigureAwait(false);
        return new SendInputResponse();
    }

    private async Task<IMessage> StreamInputAsync(HttpContext context, Func<CancellationToken, Task<StreamInputRequest?>> next, CancellationToken cancel)
    {
        Execution? execution = null;
        while (await next(cancel).ConfigureAwait(false) is { } m)
        {
            switch (m.EventCase)
            {
                case StreamInputRequest.EventOneofCase.Start:
                    execution = Find(context, m.Start.Process, running: true);
                    break;
                case StreamInputRequest.EventOneofCase.Data:
                    await WriteInputAsync(execution ?? throw new InvalidFieldException("start", "the first message must be start"),
                        m.Data.Input, cancel).ConfigureAwait(false);
                    break;
            }
        }
        return new StreamInputResponse();
    }

    private static async Task WriteInputAsync(Execution execution, ProcessInput? input, CancellationToken cancel)
    {
        var data = input?.InputCase switch
        {
            ProcessInput.InputOneofCase.Stdin => input.Stdin,
            ProcessInput.InputOneofCase.Pty => input.Pty,
            _ => throw new InvalidFieldException("input", "stdin or pty is required"),
        };
        try
        {
            await execution.Command.WriteInputAsync(data.Memory, cancel).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new ExecutionStateException($"process {execution.Command.Pid}: {e.Message}");
        }
    }

    private async Task<IMessage> SendSignalAsync(HttpContext context, SendSignalRequest request)
    {
        var execution = Find(context, request.Process, running: true);
        switch (request.Signal)
        {
            case Signal.Sigkill:
                // Polls /proc until the tree is gone: off the request thread.
                await Task.Run(execution.Command.Kill, CancellationToken.None).ConfigureAwait(false);
                break;
            case Signal.Sigterm:
                execution.Command.Signal(15);
                break;
            default:
                throw new InvalidFieldException("signal", $"{request.Signal} is not SIGNAL_SIGTERM or SIGNAL_SIGKILL");
        }
        return new SendSignalResponse();
    }

    private Task<IMessage> CloseStdin(HttpContext context, CloseStdinRequest request)
    {
        Find(context, request.Process, running: true).Command.CloseInput();
        return Task.FromResult<IMessage>(new CloseStdinResponse());
    }

    private Task<IMessage> Update(HttpContext context, UpdateRequest request)
    {
        var execution = Find(context, request.Process, running: true);
        if (request.Pty?.Size is { } size)
        {
            if (!execution.Command.IsTerminal)
                throw new ExecutionStateException($"process {execution.Command.Pid} has no terminal to resize");
            execution.Command.Resize((ushort)Math.Min(size.Rows, ushort.MaxValue), (ushort)Math.Min(size.Cols, ushort.MaxValue));
        }
        return Task.FromResult<IMessage>(new UpdateResponse());
    }

    /// <summary>The execution a selector names (the newest, should a pid have come round again):
    /// through FindExecution, as every Executions call, so it counts as activity. One that has
    /// exited is not found, as in envd: killing it twice says so.</summary>
    private Execution Find(HttpContext context, ProcessSelector? selector, bool running)
    {
        var sandboxId = EnvdCall.Of(context).SandboxId;
        Func<Execution, bool> match = selector?.SelectorCase switch
        {
            ProcessSelector.SelectorOneofCase.Pid => e => e.Command.Pid == (int)selector.Pid,
            ProcessSelector.SelectorOneofCase.Tag => e => e.Tag == selector.Tag,
            _ => throw new InvalidFieldException("process", "a pid or a tag is required"),
        };
        var found = orchestrator.ListExecutions(sandboxId).Where(e => match(e) && (!running || !e.Command.HasExited)).LastOrDefault();
        var name = selector.SelectorCase == ProcessSelector.SelectorOneofCase.Pid ? "pid " + selector.Pid : "tag " + selector.Tag;
        if (found is null)
            throw new ExecutionNotFoundException(sandboxId, "process with " + name);
        return orchestrator.FindExecution(sandboxId, found.Id);
    }
}
