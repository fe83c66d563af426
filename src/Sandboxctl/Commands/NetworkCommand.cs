using System.CommandLine;

namespace Sandboxd.Ctl.Commands;

/// <summary>`sandboxctl network …`: the egress network of running sandboxes.</summary>
internal static class NetworkCommand
{
    public static Command Build() => new("network", "the egress network of a running sandbox") { NetworkUpdateCommand.Build() };
}
