using System.CommandLine;
using Sandboxd.Api.V1;

namespace Sandboxd.Ctl.Commands;

/// <summary>The policy options `create --network egress` and `network update` share.</summary>
internal sealed class EgressPolicyOptions
{
    private readonly Option<string[]> _allowDomain = new("--allow-domain")
    {
        Description = "a name the sandbox may reach, or *.example.com for its subdomains (repeatable)",
    };

    private readonly Option<string[]> _denyDomain = new("--deny-domain") { Description = "a name refused even if allowed (repeatable)" };

    private readonly Option<string[]> _allowCidr = new("--allow-cidr")
    {
        Description = "addresses (CIDR) the sandbox may reach, including private ranges (repeatable)",
    };

    private readonly Option<uint[]> _allowPort = new("--allow-port") { Description = "allowed destination port (repeatable; default 80 and 443)" };

    private readonly Option<ulong> _maxBytesPerSecond = new("--max-bytes-per-second")
    {
        Description = "bytes per second both ways, all connections together (default 0: unlimited)",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(_allowDomain);
        command.Options.Add(_denyDomain);
        command.Options.Add(_allowCidr);
        command.Options.Add(_allowPort);
        command.Options.Add(_maxBytesPerSecond);
    }

    public bool AnyGiven(System.CommandLine.Parsing.CommandResult result) =>
        result.GetResult(_allowDomain) is not null || result.GetResult(_denyDomain) is not null
        || result.GetResult(_allowCidr) is not null || result.GetResult(_allowPort) is not null
        || result.GetResult(_maxBytesPerSecond) is not null;

    public EgressPolicy Read(ParseResult result) => new()
    {
        AllowDomains = { result.GetValue(_allowDomain) ?? [] },
        DenyDomains = { result.GetValue(_denyDomain) ?? [] },
        AllowCidrs = { result.GetValue(_allowCidr) ?? [] },
        AllowPorts = { result.GetValue(_allowPort) ?? [] },
        MaxBytesPerSecond = result.GetValue(_maxBytesPerSecond),
    };
}
