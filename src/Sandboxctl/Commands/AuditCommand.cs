using System.CommandLine;

namespace Sandboxd.Ctl.Commands;

/// <summary>`sandboxctl audit …`: the audit record's query tooling.</summary>
internal static class AuditCommand
{
    public static Command Build() => new("audit", "query, follow, export and verify the audit record")
    {
        AuditQueryCommand.Build(),
        AuditTailCommand.Build(),
        AuditExportCommand.Build(),
        AuditVerifyCommand.Build(),
        AuditStatsCommand.Build(),
    };
}
