using System.Globalization;
using Microsoft.Extensions.Logging;
using Sandboxd.Audit;
using Sandboxd.Audit.Events;
using Sandboxd.Core.Orchestration;
using Sandboxd.Isolation.Network;

namespace Sandboxd.Core.Network;

/// <summary>Every proxy decision onto the audit bus (NetworkAllowed / NetworkDenied) and the
/// daemon log. The proxy reports an allowed connection when it closes, so its event already
/// carries the bytes and duration. Both calls are non-blocking, as the proxy requires. No API call
/// is on the stack here: the event carries the correlation of the call that created the sandbox.</summary>
public sealed partial class AuditNetworkEventSink(IAuditSink audit, SandboxOwners owners, ILogger<AuditNetworkEventSink> log) : INetworkEventSink
{
    public void Record(NetworkDecision decision)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["protocol"] = decision.Protocol,
            ["destination"] = decision.Destination,
            ["port"] = decision.Port.ToString(CultureInfo.InvariantCulture),
            ["rule"] = decision.Rule,
            ["allowed"] = decision.Allowed ? "true" : "false",
            ["bytes_up"] = decision.BytesUp.ToString(CultureInfo.InvariantCulture),
            ["bytes_down"] = decision.BytesDown.ToString(CultureInfo.InvariantCulture),
            ["duration_us"] = ((long)decision.Duration.TotalMicroseconds).ToString(CultureInfo.InvariantCulture),
        };
        if (decision.ResolvedAddress is { } address)
            attributes["address"] = address;
        if (decision.Sni is { } sni)
            attributes["sni"] = sni;
        audit.Emit(decision.Allowed ? AuditKind.NetworkAllowed : AuditKind.NetworkDenied, owners.Of(decision.SandboxId),
            decision.SandboxId, null, attributes);
        if (decision.Allowed)
            LogAllowed(decision.SandboxId, decision.Protocol, decision.Destination, decision.Port, decision.ResolvedAddress ?? "-", decision.Rule, decision.BytesUp, decision.BytesDown);
        else
            LogDenied(decision.SandboxId, decision.Protocol, decision.Destination, decision.Port, decision.ResolvedAddress ?? "-", decision.Rule);
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Information,
        Message = "network {SandboxId} {Protocol} {Destination}:{Port} ({Address}) allowed by {Rule}, {Up} B up, {Down} B down")]
    private partial void LogAllowed(string sandboxId, string protocol, string destination, int port, string address, string rule,
        long up, long down);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information,
        Message = "network {SandboxId} {Protocol} {Destination}:{Port} ({Address}) denied by {Rule}")]
    private partial void LogDenied(string sandboxId, string protocol, string destination, int port, string address, string rule);
}
