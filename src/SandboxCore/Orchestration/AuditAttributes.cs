using System.Globalization;
using System.Text.Json;
using Sandboxd.Core.State;
using Sandboxd.Isolation.Execution;
using Sandboxd.Isolation.Filesystem;
using Sandboxd.Isolation.Launch;

namespace Sandboxd.Core.Orchestration;

/// <summary>What the orchestrator's audit events say. Attribute names are part of the stored
/// record and of `audit query --text`: only add. Kept here so Orchestrator reads as lifecycle.</summary>
internal static class AuditAttributes
{
    public static Dictionary<string, string> Created(SandboxRecord record)
    {
        var attributes = new Dictionary<string, string>
        {
            ["image"] = record.Image.Length == 0 ? "(default)" : record.Image,
            ["risk"] = record.Risk,
            ["profile"] = record.Profile,
            ["hostname"] = record.Hostname,
            ["memory_bytes"] = Number(record.Limits.MemoryBytes),
            ["pids"] = Number(record.Limits.Pids),
            ["cpus"] = record.Limits.Cpus.ToString(CultureInfo.InvariantCulture),
            ["disk_bytes"] = Number(record.Limits.DiskBytes),
        };
        if (record.ProposalId.Length > 0)
            attributes["proposal"] = record.ProposalId;
        return attributes;
    }

    public static Dictionary<string, string> Started(ExecSpec spec, string user) => new()
    {
        // A JSON array keeps argument boundaries; argv0 stays for exact-match filters.
        ["argv"] = JsonSerializer.Serialize(spec.Argv, AuditJsonContext.Argv),
        ["argv0"] = spec.Argv[0],
        ["cwd"] = spec.Cwd,
        ["user"] = user.Length == 0 || user == SandboxUser.FormerName ? SandboxUser.Name : user,
        ["uid"] = Number(spec.Uid),
    };

    public static Dictionary<string, string> Finished(ExecSpec spec, string user, ExecutionResult result)
    {
        var attributes = Started(spec, user);
        attributes["exit"] = Number(result.ExitCode);
        attributes["signal"] = Number(result.Signal);
        attributes["timed_out"] = result.TimedOut ? "true" : "false";
        attributes["cpu_user_us"] = Number(result.UserCpuUs);
        attributes["cpu_system_us"] = Number(result.SystemCpuUs);
        attributes["peak_memory_bytes"] = Number(result.PeakMemoryBytes);
        attributes["duration_us"] = Number((long)result.WallTime.TotalMicroseconds);
        return attributes;
    }

    /// <summary>A resource event: which limit, its value, and the command that ran into it.</summary>
    public static Dictionary<string, string> LimitHit(ExecSpec spec, string limit, long value) => new()
    {
        ["limit"] = limit,
        ["value"] = Number(value),
        ["argv0"] = spec.Argv[0],
    };

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
