using Microsoft.Extensions.Logging;
using Sandboxd.Isolation.Network;

namespace Sandboxd.Core.Network;

/// <summary>The daemon's one <see cref="EgressNetwork"/> as the orchestrator uses it: attach an
/// egress sandbox after launch, detach on destroy without letting a teardown failure stop the
/// rest of the destroy (the leftover is logged; the next daemon start replaces the nft table).</summary>
public sealed partial class SandboxNetworks(EgressNetwork network, ILogger<SandboxNetworks> log)
{
    public async Task<IEgressAttachment?> AttachAsync(string sandboxId, int initPid, SandboxNetwork request) =>
        request.IsEgress ? await network.AttachAsync(sandboxId, initPid, request.Policy, request.Transparent).ConfigureAwait(false) : null;

    public async Task DetachAsync(string sandboxId, IEgressAttachment? attachment)
    {
        if (attachment is null)
            return;
        try
        {
            await attachment.DisposeAsync().ConfigureAwait(false);
        }
        catch (NetworkSetupException e)
        {
            LogDetachFailed(sandboxId, e.Message);
        }
    }

    /// <summary>A re-adopted sandbox's veth from the previous daemon (its netns by init pid). Throws
    /// <see cref="NetworkSetupException"/>; such a sandbox must then go before the table does.</summary>
    public static Task DropStaleVethAsync(int initPid) => EgressNetwork.DropStaleVethAsync(initPid);

    /// <summary>The previous daemon's table, once no sandbox of it is on a veth any more.</summary>
    public Task DropStaleTableAsync() => network.DropStaleTableAsync();

    /// <summary>On an exit that keeps sandboxes running.</summary>
    public void KeepOnExit() => network.KeepTableOnDispose();

    [LoggerMessage(EventId = 310, Level = LogLevel.Warning, Message = "removing the network of sandbox {Id} failed: {Error}")]
    private partial void LogDetachFailed(string id, string error);
}
