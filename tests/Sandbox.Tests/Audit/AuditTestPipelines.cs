using System.Globalization;
using Sandboxd.Audit.Events;
using Sandboxd.Audit.Pipeline;

namespace Sandboxd.Tests.Audit;

/// <summary>Options and event builders the audit tests share.</summary>
internal static class AuditTestPipelines
{
    public static AuditPipelineOptions Options(string dir) =>
        new() { Directory = dir, MigrationInterval = TimeSpan.Zero };

    public static Dictionary<string, string> Numbered(long n, string? extraKey = null, string? extraValue = null)
    {
        var attributes = new Dictionary<string, string> { ["n"] = n.ToString(CultureInfo.InvariantCulture) };
        if (extraKey is not null)
            attributes[extraKey] = extraValue ?? "";
        return attributes;
    }

    public static long N(AuditEvent ev) => long.Parse(ev.Attributes["n"], CultureInfo.InvariantCulture);
}
