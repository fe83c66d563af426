using System.CommandLine;
using System.Globalization;
using Sandboxd.Api.Client;
using Sandboxd.Api.V1;
using Sandboxd.Audit.Events;

namespace Sandboxd.Ctl.Commands;

/// <summary>The filters every audit subcommand shares, and how they become a request.</summary>
internal sealed class AuditFilters
{
    public Option<string?> Sandbox { get; } = new("--sandbox") { Description = "only this sandbox's events" };

    public Option<string?> Execution { get; } = new("--execution") { Description = "only this execution's events" };

    public Option<string[]> Kind { get; } = new("--kind")
    {
        Description = "an event kind, by name (ExecutionFinished) or number; repeatable",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string?> Tenant { get; } = new("--tenant") { Description = "the operator: only this tenant's events" };

    public Option<int> MinRisk { get; } = new("--min-risk") { Description = "at least this risk (1 low .. 4 critical)" };

    public Option<string?> Text { get; } = new("--text") { Description = "a substring of any attribute (argv, path, destination)" };

    public Option<string?> Since { get; } = new("--since") { Description = "from this long ago (30s, 10m, 2h, 7d) or an ISO 8601 time" };

    public Option<string?> Until { get; } = new("--until") { Description = "up to this long ago or ISO 8601 time" };

    /// <summary>Which tenant to act as; only the operator (root, no tenant) sees every tenant.</summary>
    public Option<string?> AsTenant { get; } = new("--as-tenant")
    {
        Description = "call as this tenant (the x-tenant header; default $SANDBOXD_TENANT)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SANDBOXD_TENANT"),
    };

    public void AddTo(Command command, bool timeRange)
    {
        command.Options.Add(Sandbox);
        command.Options.Add(Execution);
        command.Options.Add(Kind);
        command.Options.Add(Tenant);
        command.Options.Add(MinRisk);
        command.Options.Add(Text);
        command.Options.Add(AsTenant);
        if (timeRange)
        {
            command.Options.Add(Since);
            command.Options.Add(Until);
        }
    }

    public AuditClient Connect(ParseResult result)
    {
        var connection = CommonOptions.Connection(result);
        if (result.GetValue(AsTenant) is { Length: > 0 } tenant)
            connection.Headers.Add(SandboxdConnection.TenantHeader, tenant);
        return new AuditClient(connection);
    }

    public AuditQueryRequest Query(ParseResult result)
    {
        var request = new AuditQueryRequest
        {
            SandboxId = result.GetValue(Sandbox) ?? "",
            ExecutionId = result.GetValue(Execution) ?? "",
            Tenant = result.GetValue(Tenant) ?? "",
            MinRisk = result.GetValue(MinRisk),
            Text = result.GetValue(Text) ?? "",
            FromUnixMs = result.GetValue(Since) is { } since ? ParseTime(since, "--since") : 0,
            ToUnixMs = result.GetValue(Until) is { } until ? ParseTime(until, "--until") : 0,
        };
        request.Kinds.Add(Kinds(result));
        return request;
    }

    public AuditTailRequest Tail(ParseResult result)
    {
        var request = new AuditTailRequest
        {
            SandboxId = result.GetValue(Sandbox) ?? "",
            ExecutionId = result.GetValue(Execution) ?? "",
            Tenant = result.GetValue(Tenant) ?? "",
            MinRisk = result.GetValue(MinRisk),
            Text = result.GetValue(Text) ?? "",
        };
        request.Kinds.Add(Kinds(result));
        return request;
    }

    private IEnumerable<int> Kinds(ParseResult result) =>
        (result.GetValue(Kind) ?? []).Select(k =>
            int.TryParse(k, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n
            : Enum.TryParse<AuditKind>(k.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var kind) && Enum.IsDefined(kind) ? (int)kind
            : throw new ArgumentException($"--kind: unknown event kind '{k}' (e.g. SandboxCreated, ExecutionFinished, NetworkDenied)"));

    /// <summary>A duration back from now (s, m, h, d) or an absolute ISO 8601 time, as unix ms.</summary>
    internal static long ParseTime(string value, string option)
    {
        if (value.Length >= 2 && char.IsAsciiLetter(value[^1])
            && double.TryParse(value.AsSpan(0, value.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double amount) && amount >= 0)
        {
            TimeSpan? ago = value[^1] switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                _ => null,
            };
            if (ago is { } span)
                return (DateTimeOffset.UtcNow - span).ToUnixTimeMilliseconds();
        }
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            return at.ToUnixTimeMilliseconds();
        throw new ArgumentException($"{option}: '{value}' is neither a duration (30s, 10m, 2h, 7d) nor an ISO 8601 time");
    }
}
