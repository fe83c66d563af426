using System.CommandLine;
using Grpc.Core;
using Sandboxd.Api.V1;

namespace Sandboxd.Ctl.Commands;

/// <summary>`watch ID`: one line per event of a sandbox (its state now, state changes, TTL
/// warnings and extensions) until it is destroyed.</summary>
internal static class WatchCommand
{
    public static Command Build()
    {
        var id = new Argument<string>("id") { Description = "sandbox id" };
        var json = CommonOptions.Json();
        var command = new Command("watch", "follow a sandbox's state changes and TTL warnings until it is destroyed") { id, json };
        command.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            using var client = CommonOptions.Connect(result);
            using var call = client.Lifecycle.WatchSandbox(new WatchSandboxRequest { Id = result.GetValue(id)! },
                client.Connection.Options(null, cancel));
            await foreach (var e in call.ResponseStream.ReadAllAsync(cancel))
                Console.WriteLine(result.GetValue(json) ? CommonOptions.ToJsonLine(e) : Line(e));
            return 0;
        }));
        return command;
    }

    private static string Line(SandboxEvent e)
    {
        var kind = e.Kind.ToString().Replace("SandboxEventKind", "", StringComparison.Ordinal).ToLowerInvariant();
        var s = e.Sandbox;
        var line = $"{DateTimeOffset.UtcNow.ToLocalTime():HH:mm:ss} {s.Id} {kind} {SandboxTable.StateName(s.State)} {s.StateCause}";
        return e.Kind is SandboxEventKind.TtlWarning or SandboxEventKind.TtlExtended
            ? line + $" (deadline in {TimeSpan.FromMilliseconds(e.RemainingMs):g})"
            : line;
    }
}
