using Grpc.Core;
using Sandboxd.Api.Client;
using Sandboxd.Api.V1;

namespace Sandboxd.Ctl.Commands;

/// <summary>`create` of a request that waits for votes: follows the proposal (WaitProposal),
/// saying on stderr who voted, until its sandbox exists or it is rejected or expires.</summary>
internal static class ProposalWait
{
    /// <returns>The proposal as it ended (used with a sandbox id, rejected, expired), or null at the deadline.</returns>
    public static async Task<Proposal?> FollowAsync(SandboxesClient client, string proposalId, TimeSpan? deadline, CancellationToken cancel)
    {
        using var call = client.Governance.WaitProposal(new WaitProposalRequest { Id = proposalId }, client.Connection.Options(deadline, cancel));
        Proposal? last = null;
        try
        {
            await foreach (var p in call.ResponseStream.ReadAllAsync(cancel).ConfigureAwait(false))
            {
                if (last is null)
                    await Console.Error.WriteLineAsync($"proposal {p.Id} ({p.Level}) waits for {ProposalText.Rule(p)}").ConfigureAwait(false);
                foreach (var v in p.Votes.Skip(last?.Votes.Count ?? 0))
                    await Console.Error.WriteLineAsync("  " + ProposalText.Vote(v)).ConfigureAwait(false);
                last = p;
            }
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded)
        {
            return null;
        }
        return last;
    }
}
