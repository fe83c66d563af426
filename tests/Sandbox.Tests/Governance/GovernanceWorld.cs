using Microsoft.Extensions.Time.Testing;
using Sandboxd.Governance.Approval;
using Sandboxd.Governance.Profiles;
using Sandboxd.Governance.Risk;
using Sandboxd.Governance.Specs;
using Sandboxd.Tests.Support;

namespace Sandboxd.Tests.Governance;

/// <summary>A real SQLite file in a temp dir, a clock the test moves, and six people: one per
/// default role. "eng" (an Engineer) proposes; the other five are the HIGH/CRITICAL reviewers.</summary>
internal sealed class GovernanceWorld : IDisposable
{
    private readonly TempRoot _root = new();

    public GovernanceWorld() => DbPath = Path.Combine(_root.StateDir, "governance.db");

    public static IReadOnlyList<Person> People { get; } =
    [
        new("pm", ["PM"]), new("arch", ["Architect"]), new("qa", ["QA"]),
        new("eng", ["Engineer"]), new("sec", ["Security"]), new("sys", ["System"]),
    ];

    public static string[] Reviewers { get; } = ["pm", "arch", "qa", "sec", "sys"];

    public string DbPath { get; }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    public RecordingGovernanceEvents Events { get; } = new();

    public static Actor Admin { get; } = new("uid:0", "root", ["System"], null);

    public static Actor Engineer { get; } = As("eng", tenant: "team-a");

    /// <summary>A person's principal ("uid:&lt;person&gt;" unless another is named) in tenant team-a.</summary>
    public static Actor As(string person, string? principal = null, string? tenant = "team-a") =>
        new(principal ?? "uid:" + person, person, People.Single(p => p.Id == person).Roles, tenant);

    public ApprovalEngine Engine(Func<ApprovalMatrix, ApprovalMatrix>? change = null) =>
        new(new ProposalStore(DbPath), (change ?? (m => m))(ApprovalMatrix.Default(People)), Clock, Events);

    public static RequestSpec Spec(RiskLevel level) => level switch
    {
        RiskLevel.Medium => BuiltinProfiles.Medium.Spec with { Network = new NetworkPolicySpec(true, ["pypi.org"], false) },
        RiskLevel.High => BuiltinProfiles.High.Spec,
        RiskLevel.Critical => BuiltinProfiles.Critical.Spec,
        _ => BuiltinProfiles.Low.Spec,
    };

    public static Proposal Propose(ApprovalEngine engine, RiskLevel level, Actor? proposer = null)
    {
        var spec = Spec(level);
        var assessment = RiskAssessor.Assess(spec, RiskPolicy.Default);
        if (assessment.Level != level)
            throw new InvalidOperationException($"the {level} spec assesses {assessment.Level}");
        var by = proposer ?? Engineer;
        return engine.Propose(by, by.Tenant ?? "", spec, assessment);
    }

    public static ApprovalMatrix WithLevel(ApprovalMatrix matrix, RiskLevel level, Func<LevelPolicy, LevelPolicy> change) =>
        matrix with { Levels = new Dictionary<RiskLevel, LevelPolicy>(matrix.Levels) { [level] = change(matrix.For(level)) } };

    public void Dispose() => _root.Dispose();
}
