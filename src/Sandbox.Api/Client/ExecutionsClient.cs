using Grpc.Core;
using Sandboxd.Api.V1;

namespace Sandboxd.Api.Client;

/// <summary>Typed calls of the Executions service on a shared connection (not owned).</summary>
public sealed class ExecutionsClient(SandboxdConnection connection)
{
    public Executions.ExecutionsClient Raw { get; } = new(connection.Channel);

    public Task<ExecutionInfo> StartAsync(StartExecutionRequest request, CancellationToken cancel = default) =>
        Raw.StartAsync(request, connection.Options(null, cancel)).ResponseAsync;

    public Task<ListExecutionsResponse> ListAsync(string sandboxId, CancellationToken cancel = default) =>
        Raw.ListAsync(new ListExecutionsRequest { SandboxId = sandboxId }, connection.Options(null, cancel)).ResponseAsync;

    /// <summary>Replay from the offsets, then live; leaving the loop early ends the call (the
    /// execution keeps running unless the request says kill_on_disconnect).</summary>
    public IAsyncEnumerable<AttachResponse> AttachAsync(AttachRequest request, CancellationToken cancel = default) =>
        StreamCalls.ReadAllAsync(Raw.Attach(request, connection.Options(null, cancel)), cancel);

    public Task<SignalResponse> SignalAsync(string sandboxId, string executionId, int signal, CancellationToken cancel = default) =>
        Raw.SignalAsync(new SignalRequest { SandboxId = sandboxId, ExecutionId = executionId, Signal = signal },
            connection.Options(null, cancel)).ResponseAsync;

    public Task<KillResponse> KillAsync(string sandboxId, string executionId, CancellationToken cancel = default) =>
        Raw.KillAsync(Ref(sandboxId, executionId), connection.Options(null, cancel)).ResponseAsync;

    public Task<ExitStatus> WaitAsync(string sandboxId, string executionId, CancellationToken cancel = default) =>
        Raw.WaitAsync(Ref(sandboxId, executionId), connection.Options(null, cancel)).ResponseAsync;

    public AsyncDuplexStreamingCall<TerminalRequest, TerminalResponse> Terminal(CancellationToken cancel = default) =>
        Raw.Terminal(connection.Options(null, cancel));

    private static ExecutionRef Ref(string sandboxId, string executionId) => new() { SandboxId = sandboxId, ExecutionId = executionId };
}
