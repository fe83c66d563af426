using Google.Protobuf;
using Grpc.Core;
using Sandboxd.Api.V1;
using Sandboxd.Core.Api.Mapping;
using Sandboxd.Core.Orchestration;
using Sandboxd.Core.Orchestration.Executions;
using Sandboxd.Isolation.Execution;

namespace Sandboxd.Core.Api;

/// <summary>sandbox.v1.Executions: commands with an id that outlive the call that started them.
/// Every call finds its sandbox through the orchestrator's lookup, as the Sandboxes service does.</summary>
public sealed class ExecutionsService(Orchestrator orchestrator) : Executions.ExecutionsBase
{
    private const int ChunkBytes = 64 * 1024;

    public override async Task<ExecutionInfo> Start(StartExecutionRequest request, ServerCallContext context) =>
        (await orchestrator.StartExecutionAsync(request.FromProto()).ConfigureAwait(false)).ToInfo();

    public override Task<ListExecutionsResponse> List(ListExecutionsRequest request, ServerCallContext context) =>
        Task.FromResult(new ListExecutionsResponse { Executions = { orchestrator.ListExecutions(request.SandboxId).Select(e => e.ToInfo()) } });

    public override async Task Attach(AttachRequest request, IServerStreamWriter<AttachResponse> responseStream, ServerCallContext context)
    {
        var execution = orchestrator.FindExecution(request.SandboxId, request.ExecutionId);
        try
        {
            await FollowAsync(execution, (long)request.StdoutOffset, (long)request.StderrOffset,
                (m, c) => responseStream.WriteAsync(m, c), context.CancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (request.KillOnDisconnect && context.CancellationToken.IsCancellationRequested)
        {
            await Task.Run(execution.Command.Kill, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Replays both rings from the offsets, follows them live, then sends the exit status
    /// (also the E2B listener's way to stream an execution).</summary>
    internal static async Task FollowAsync(Execution execution, long stdoutAt, long stderrAt, Func<AttachResponse, CancellationToken, Task> write,
        CancellationToken cancel)
    {
        var streams = new (OutputRing Ring, string Name, long At)[]
        {
            (execution.Command.Stdout, "stdout", stdoutAt), (execution.Command.Stderr, "stderr", stderrAt),
        };
        while (true)
        {
            var waits = new List<Task>();
            bool ended = true;
            for (int i = 0; i < streams.Length; i++)
            {
                var (ring, name, at) = streams[i];
                var read = ring.Read(at, ChunkBytes);
                if (read.Start > at)
                    await write(new AttachResponse { Lost = new Lost { Stream = name, Bytes = (ulong)(read.Start - at), ResumedAt = (ulong)read.Start } }, cancel)
                        .ConfigureAwait(false);
                if (read.Data.Length > 0)
                {
                    var chunk = new OutputChunk { Offset = (ulong)read.Start, Data = ByteString.CopyFrom(read.Data) };
                    await write(i == 0 ? new AttachResponse { Stdout = chunk } : new AttachResponse { Stderr = chunk }, cancel).ConfigureAwait(false);
                }
                streams[i].At = read.Start + read.Data.Length;
                ended &= read.Ended;
                if (read.Data.Length == 0 && !read.Ended)
                    waits.Add(read.Changed);
                else if (read.Data.Length > 0)
                    waits.Add(Task.CompletedTask);
            }
            if (ended)
                break;
            await Task.WhenAny(waits).WaitAsync(cancel).ConfigureAwait(false);
        }
        var exit = await execution.Exit.WaitAsync(cancel).ConfigureAwait(false);
        await write(new AttachResponse { Exit = exit.ToExitStatus() }, cancel).ConfigureAwait(false);
    }

    public override async Task<SendInputResponse> SendInput(SendInputRequest request, ServerCallContext context)
    {
        var execution = Running(request.SandboxId, request.ExecutionId);
        try
        {
            await execution.Command.WriteInputAsync(request.Data.Memory, context.CancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new ExecutionStateException($"execution {execution.Id}: {e.Message}");
        }
        return new SendInputResponse();
    }

    public override Task<CloseStdinResponse> CloseStdin(ExecutionRef request, ServerCallContext context)
    {
        Running(request.SandboxId, request.ExecutionId).Command.CloseInput();
        return Task.FromResult(new CloseStdinResponse());
    }

    public override Task<SignalResponse> Signal(SignalRequest request, ServerCallContext context)
    {
        if (request.Signal is < 1 or > 64)
            throw new InvalidFieldException("signal", $"{request.Signal} is not a signal number (1-64)");
        orchestrator.FindExecution(request.SandboxId, request.ExecutionId).Command.Signal(request.Signal);
        return Task.FromResult(new SignalResponse());
    }

    public override async Task<KillResponse> Kill(ExecutionRef request, ServerCallContext context)
    {
        var execution = orchestrator.FindExecution(request.SandboxId, request.ExecutionId);
        // Polls /proc until the tree is gone: off the request thread.
        int killed = await Task.Run(execution.Command.Kill, CancellationToken.None).ConfigureAwait(false);
        return new KillResponse { Killed = killed };
    }

    public override async Task<ExitStatus> Wait(ExecutionRef request, ServerCallContext context) =>
        (await orchestrator.FindExecution(request.SandboxId, request.ExecutionId).Exit.WaitAsync(context.CancellationToken).ConfigureAwait(false))
            .ToExitStatus();

    /// <summary>Starts a command on a pty, then relays: the request stream's input, resizes and
    /// signals to it, its output and exit status back.</summary>
    public override async Task Terminal(IAsyncStreamReader<TerminalRequest> requestStream, IServerStreamWriter<TerminalResponse> responseStream,
        ServerCallContext context)
    {
        var cancel = context.CancellationToken;
        if (!await requestStream.MoveNext(cancel).ConfigureAwait(false))
            return;
        var first = requestStream.Current;
        if (first.PayloadCase != TerminalRequest.PayloadOneofCase.Start)
            throw new InvalidFieldException("start", "the first message must be start");
        var execution = await orchestrator.StartExecutionAsync(first.Start.FromProto() with { Tty = true }).ConfigureAwait(false);
        using var writer = new SerializedStreamWriter<TerminalResponse>(responseStream);
        await writer.WriteAsync(new TerminalResponse { Started = execution.ToInfo() }, cancel).ConfigureAwait(false);
        var input = RelayInputAsync(requestStream, execution, cancel);
        try
        {
            await FollowAsync(execution, 0, 0, (m, c) => m.PayloadCase switch
            {
                AttachResponse.PayloadOneofCase.Stdout => writer.WriteAsync(new TerminalResponse { Output = m.Stdout.Data }, c),
                AttachResponse.PayloadOneofCase.Exit => writer.WriteAsync(new TerminalResponse { Exit = m.Exit }, c),
                _ => Task.CompletedTask,
            }, cancel).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (first.KillOnDisconnect && cancel.IsCancellationRequested)
        {
            await Task.Run(execution.Command.Kill, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        finally
        {
            try
            {
                await input.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or RpcException)
            {
            }
        }
    }

    private static async Task RelayInputAsync(IAsyncStreamReader<TerminalRequest> requests, Execution execution, CancellationToken cancel)
    {
        var command = execution.Command;
        while (!command.HasExited && await requests.MoveNext(cancel).ConfigureAwait(false))
        {
            var m = requests.Current;
            switch (m.PayloadCase)
            {
                case TerminalRequest.PayloadOneofCase.Stdin:
                    await command.WriteInputAsync(m.Stdin.Memory, cancel).ConfigureAwait(false);
                    break;
                case TerminalRequest.PayloadOneofCase.Resize:
                    command.Resize((ushort)Math.Min(m.Resize.Rows, ushort.MaxValue), (ushort)Math.Min(m.Resize.Cols, ushort.MaxValue));
                    break;
                case TerminalRequest.PayloadOneofCase.Signal when m.Signal is >= 1 and <= 64:
                    command.Signal(m.Signal);
                    break;
            }
        }
    }

    private Execution Running(string sandboxId, string executionId)
    {
        var execution = orchestrator.FindExecution(sandboxId, executionId);
        if (execution.Command.HasExited)
            throw new ExecutionStateException($"execution {executionId} has exited");
        return execution;
    }
}
