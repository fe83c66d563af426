using Sandboxd.Governance.Risk;

namespace Sandboxd.Governance.Approval;

/// <summary>The approval policy per level and the reviewers, from config.</summary>
public sealed record ApprovalMatrix(IReadOnlyDictionary<RiskLevel, LevelPolicy> Levels, IReadOnlyList<Person> People)
{
    public static IReadOnlyList<string> DefaultRoles { get; } = ["PM", "Architect", "QA", "Engineer", "Security", "System"];

    /// <summary>The design's matrix: LOW at once; MEDIUM one of Architect, Security, System;
    /// HIGH 3 of the five non-Engineer roles; CRITICAL all of them.</summary>
    public static ApprovalMatrix Default(IReadOnlyList<Person> people)
    {
        string[] reviewers = ["PM", "Architect", "QA", "Security", "System"];
        var hour = TimeSpan.FromHours(1);
        var window = TimeSpan.FromMinutes(15);
        return new ApprovalMatrix(new Dictionary<RiskLevel, LevelPolicy>
        {
            [RiskLevel.Low] = new(0, [], [], 0, hour, window),
            [RiskLevel.Medium] = new(1, ["Architect", "Security", "System"], [], 1, hour, window),
            [RiskLevel.High] = new(3, reviewers, [], 2, hour * 4, window),
            [RiskLevel.Critical] = new(null, reviewers, [], 1, hour * 24, window),
        }, people);
    }

    public LevelPolicy For(RiskLevel level) => Levels[level];

    public bool NeedsApproval(RiskLevel level) => For(level).Approvals != 0;
}
