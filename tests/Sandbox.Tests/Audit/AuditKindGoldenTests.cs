using Sandboxd.Audit.Events;
using Xunit;

namespace Sandboxd.Tests.Audit;

/// <summary>Kinds and risks are persisted in every tier and sent on the wire: this list may only grow.</summary>
public sealed class AuditKindGoldenTests
{
    private static readonly (string Name, int Number)[] Kinds =
    [
        ("Unspecified", 0), ("DaemonStarted", 1), ("DaemonStopping", 2), ("DaemonConfigLoaded", 3),
        ("SandboxCreated", 10), ("SandboxCreateFailed", 11), ("SandboxDestroyed", 12), ("SandboxFailed", 13),
        ("SandboxStarted", 14), ("SandboxStopped", 15), ("SandboxStateChanged", 16),
        ("ExecutionStarted", 20), ("ExecutionFinished", 21), ("ExecutionFailedToStart", 22),
        ("SyscallExec", 30), ("SyscallConnect", 31), ("SyscallDenied", 32), ("SyscallLogged", 33),
        ("FileCreated", 40), ("FileModified", 41), ("FileDeleted", 42), ("FileEventsOmitted", 43),
        ("NetworkAllowed", 50), ("NetworkDenied", 51), ("NetworkClosed", 52),
        ("ResourceOomKilled", 60), ("ResourcePidsLimit", 61),
        ("GovernanceProposed", 70), ("GovernanceVoted", 71), ("GovernanceApproved", 72),
        ("GovernanceRejected", 73), ("GovernanceExpired", 74),
        ("GovernanceApprovalUsed", 75),
    ];

    [Fact]
    public void Every_frozen_kind_keeps_its_name_and_number()
    {
        foreach (var (name, number) in Kinds)
            Assert.Equal(number, (int)Enum.Parse<AuditKind>(name));
        Assert.Equal(Kinds.Length, Enum.GetValues<AuditKind>().Length);
    }

    [Fact]
    public void Risk_levels_are_frozen()
    {
        Assert.Equal([0, 1, 2, 3, 4], Enum.GetValues<AuditRisk>().Select(r => (int)r));
        Assert.Equal(["None", "Low", "Medium", "High", "Critical"], Enum.GetNames<AuditRisk>());
    }

    [Fact]
    public void An_event_survives_its_stored_form()
    {
        var ev = new AuditEvent(7, new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero), AuditKind.NetworkDenied, "sb", "ex",
            new Dictionary<string, string> { ["dest"] = "10.0.0.1:443", ["quote"] = "a\"b\n" })
        {
            Id = "abc-7", Tenant = "t", Principal = "alice", RequestId = "r1", TraceId = "tool-9", Risk = AuditRisk.High,
        };
        var back = AuditEventJson.Parse(AuditEventJson.ToUtf8(ev));
        Assert.Equal(ev with { Attributes = back.Attributes }, back);
        Assert.Equal(ev.Attributes, back.Attributes);
    }
}
