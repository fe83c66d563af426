using System.CommandLine;
using Grpc.Core;
using Sandboxd.Api.V1;

namespace Sandboxd.Ctl.Commands;

/// <summary>`sandboxctl governance list|show|vote|approve|reject|watch`: proposals of your tenant.</summary>
internal static class GovernanceCommand
{
    public static Command Build()
    {
        var command = new Command("governance", "proposals for risky sandboxes and their votes");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Vote());
        command.Subcommands.Add(Decide("approve", true));
        command.Subcommands.Add(Decide("reject", false));
        command.Subcommands.Add(Watch());
        return command;
    }

    private static Command List()
    {
        var status = new Option<string?>("--status") { Description = "pending, approved, rejected, expired or used (default: all)" };
        status.AcceptOnlyFromAmong("pending", "approved", "rejected", "expired", "used");
        var json = CommonOptions.Json();
        var command = new Command("list", "proposals, oldest first, every status") { status, json };
        command.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            using var client = CommonOptions.Connect(result);
            var request = new ListProposalsRequest();
            if (result.GetValue(status) is { } s)
                request.Status = Enum.Parse<ProposalStatus>(char.ToUpperInvariant(s[0]) + s[1..]);
            var response = await client.Governance.ListProposalsAsync(request, client.Connection.Options(null, cancel));
            if (result.GetValue(json))
                Console.WriteLine(CommonOptions.ToJson(response));
            else
                ProposalText.Table(response.Proposals);
            return 0;
        }));
        return command;
    }

    private static Command Show()
    {
        var id = new Argument<string>("proposal") { Description = "proposal id" };
        var json = CommonOptions.Json();
        var command = new Command("show", "one proposal with every vote and reason") { id, json };
        command.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            using var client = CommonOptions.Connect(result);
            var p = await client.Governance.GetProposalAsync(new GetProposalRequest { Id = result.GetValue(id)! }, client.Connection.Options(null, cancel));
            if (result.GetValue(json))
                Console.WriteLine(CommonOptions.ToJson(p));
            else
                ProposalText.Show(p);
            return 0;
        }));
        return command;
    }

    private static Command Vote()
    {
        var id = new Argument<string>("proposal") { Description = "proposal id" };
        var approve = new Option<bool>("--approve") { Description = "vote yes" };
        var reject = new Option<bool>("--reject") { Description = "vote no" };
        var reason = Reason();
        var json = CommonOptions.Json();
        var command = new Command("vote", "vote on a proposal, with a reason") { id, approve, reject, reason, json };
        command.Validators.Add(r =>
        {
            if (r.GetValue(approve) == r.GetValue(reject))
                r.AddError("give one of --approve or --reject");
        });
        command.SetAction((result, cancel) => Cast(result, result.GetValue(id)!, result.GetValue(approve), result.GetValue(reason)!, result.GetValue(json), cancel));
        return command;
    }

    private static Command Decide(string name, bool approve)
    {
        var id = new Argument<string>("proposal") { Description = "proposal id" };
        var reason = Reason();
        var json = CommonOptions.Json();
        var command = new Command(name, $"vote {(approve ? "yes" : "no")} on a proposal, with a reason") { id, reason, json };
        command.SetAction((result, cancel) => Cast(result, result.GetValue(id)!, approve, result.GetValue(reason)!, result.GetValue(json), cancel));
        return command;
    }

    private static Option<string> Reason() => new("--reason") { Description = "why (required; kept with the vote for ever)", Required = true };

    private static Task<int> Cast(ParseResult result, string id, bool approve, string reason, bool json, CancellationToken cancel) => CommonOptions.Run(async () =>
    {
        using var client = CommonOptions.Connect(result);
        var p = await client.Governance.VoteAsync(new VoteRequest { ProposalId = id, Approve = approve, Reason = reason }, client.Connection.Options(null, cancel));
        if (json)
            Console.WriteLine(CommonOptions.ToJson(p));
        else
            Console.WriteLine($"{p.Id}: {ProposalText.Status(p.Status)}{(p.Decision.Length > 0 ? " (" + p.Decision + ")" : "")}, {ProposalText.Tally(p)}"
                + (p.SandboxId.Length > 0 ? $"; sandbox {p.SandboxId} created" : "")
                + (p.CreateError.Length > 0 ? $"; its create failed: {p.CreateError}" : ""));
        return 0;
    });

    private static Command Watch()
    {
        var json = CommonOptions.Json();
        var command = new Command("watch", "the proposals you may vote on, and each of their steps as it happens") { json };
        command.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            using var client = CommonOptions.Connect(result);
            using var call = client.Governance.WatchProposals(new WatchProposalsRequest(), client.Connection.Options(null, cancel));
            try
            {
                await foreach (var e in call.ResponseStream.ReadAllAsync(cancel))
                {
                    if (result.GetValue(json))
                        Console.WriteLine(CommonOptions.ToJsonLine(e));
                    else
                        Console.WriteLine($"{Kind(e.Kind),-9} {e.Proposal.Id}  {e.Proposal.Level,-8} {ProposalText.Status(e.Proposal.Status),-8} {e.Proposal.Proposer}  {ProposalText.Tally(e.Proposal)}"
                            + (e.Vote is { } v ? "  " + ProposalText.Vote(v) : ""));
                }
            }
            catch (RpcException x) when (x.StatusCode == StatusCode.Cancelled && cancel.IsCancellationRequested)
            {
            }
            return 0;
        }));
        return command;
    }

    private static string Kind(ProposalEventKind kind) =>
        kind.ToString().Replace("ProposalEventKind", "", StringComparison.Ordinal).ToLowerInvariant();
}
