using Sandboxd.Core.Orchestration.Governance;
using Sandboxd.Governance.Approval;
using ProtoProposal = Sandboxd.Api.V1.Proposal;

namespace Sandboxd.Core.Api.Mapping;

/// <summary>A proposal, its votes and what became of its request, as the API shows them.</summary>
public static class ProposalProtoMapping
{
    public static ProtoProposal ToProto(Proposal p, ProposalRequests.Outcome? outcome)
    {
        var proto = new ProtoProposal
        {
            Id = p.Id, Tenant = p.Tenant, Level = SpecMapping.Name(p.Level), Status = (Sandboxd.Api.V1.ProposalStatus)(int)p.Status,
            Decision = SpecMapping.Decision(p.Reason), Spec = SpecProtoMapping.ToProto(p.Spec), SpecSha256 = p.SpecHash, Proposer = p.ProposerPrincipal,
            ProposerPerson = p.ProposerPerson, CreatedUnixMs = p.CreatedAt.ToUnixTimeMilliseconds(), ExpiresUnixMs = p.ExpiresAt.ToUnixTimeMilliseconds(),
            DecidedUnixMs = p.DecidedAt?.ToUnixTimeMilliseconds() ?? 0, UseUntilUnixMs = p.UseUntil?.ToUnixTimeMilliseconds() ?? 0,
            UsedUnixMs = p.UsedAt?.ToUnixTimeMilliseconds() ?? 0, ApprovalsRequired = (uint)p.Rules.Required,
            DenyThreshold = (uint)p.Rules.DenyThreshold, SandboxId = outcome?.SandboxId ?? "", CreateError = outcome?.CreateError ?? "",
        };
        proto.Findings.AddRange(SpecProtoMapping.ToProto(p.Findings));
        proto.VotingRoles.AddRange(p.Rules.VotingRoles);
        proto.RequiredRoles.AddRange(p.Rules.RequiredRoles);
        proto.Eligible.AddRange(p.Rules.Eligible.Select(e => e.Id));
        proto.Votes.AddRange(p.Votes.Select(ToProto));
        return proto;
    }

    public static Sandboxd.Api.V1.Vote ToProto(Vote v)
    {
        var vote = new Sandboxd.Api.V1.Vote { Principal = v.Principal, Person = v.Person, Approve = v.Approve, Reason = v.Reason, AtUnixMs = v.At.ToUnixTimeMilliseconds() };
        vote.Roles.AddRange(v.Roles);
        return vote;
    }
}
