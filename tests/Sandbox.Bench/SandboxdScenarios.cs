using Sandboxd.Api.Client;
using Sandboxd.Api.V1;

namespace Sandboxd.Bench;

/// <summary>The operations timed against sandboxd, each a complete client-visible request
/// sequence over one reused client connection (what a caller like an agent runtime does).</summary>
public sealed class SandboxdScenarios(SandboxesClient client)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PoolRefill = TimeSpan.FromMilliseconds(60);

    /// <summary>Per-step times of <see cref="FullCycleAsync"/>; cleared by the caller between scenarios.</summary>
    public StepClock Steps { get; } = new();

    /// <summary>create → exec /bin/true → destroy: the number to hold against one bwrap run.</summary>
    public async Task FullCycleAsync()
    {
        var sandbox = await Steps.TimeAsync("create", CreateAsync);
        try
        {
            await Steps.TimeAsync("exec", () => ExecTrueAsync(sandbox));
        }
        finally
        {
            await Steps.TimeAsync("destroy", () => DestroyAsync(sandbox));
        }
    }

    public async Task<string> CreateAsync() => (await client.CreateAsync(new CreateRequest(), Deadline)).Id;

    public Task DestroyAsync(string sandboxId) => client.DestroyAsync(sandboxId);

    /// <summary>Untimed, after a timed create: the pool prepares a sandbox in ~10–30 ms here.</summary>
    public async Task DestroyAndLetPoolRefillAsync(string sandboxId)
    {
        await DestroyAsync(sandboxId);
        await Task.Delay(PoolRefill);
    }

    /// <summary>One small unary call, the transport's round trip to set beside an exec.</summary>
    public Task UnaryAsync() => client.ListAsync();

    /// <summary>Creates count empty files under the sandbox's home (its writable layer).</summary>
    public Task FillLayerAsync(string sandboxId, int count) =>
        RunAsync(sandboxId, ["/bin/sh", "-c", $"mkdir -p $HOME/fill && cd $HOME/fill && seq {count} | xargs touch"]);

    public Task ExecTrueAsync(string sandboxId) => RunAsync(sandboxId, ["/bin/true"]);

    /// <summary>Runs a command and drains the stream; a non-zero exit fails the bench, since
    /// timing a failure would report a fast wrong answer.</summary>
    private async Task RunAsync(string sandboxId, string[] argv)
    {
        var request = new ExecuteRequest { SandboxId = sandboxId, Argv = { argv } };
        ExitStatus? exit = null;
        await foreach (var message in client.ExecuteAsync(request, Deadline))
        {
            if (message.PayloadCase == ExecuteResponse.PayloadOneofCase.Exit)
                exit = message.Exit;
        }
        if (exit is null || exit.ExitCode != 0)
            throw new InvalidOperationException($"{argv[0]} in sandbox {sandboxId} did not exit 0: {exit}");
    }
}
