using System.CommandLine;
using Grpc.Core;

namespace Sandboxd.Ctl.Commands;

internal static class AuditTailCommand
{
    public static Command Build()
    {
        var filters = new AuditFilters();
        var json = CommonOptions.Json();
        json.Description = "one JSON object per line";
        var command = new Command("tail", "follow audit events as they happen (from now on) until Ctrl-C") { json };
        filters.AddTo(command, timeRange: false);
        command.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            using var client = filters.Connect(result);
            bool asJson = result.GetValue(json);
            try
            {
                await foreach (var ev in client.TailAsync(filters.Tail(result), cancel))
                    Console.WriteLine(asJson ? CommonOptions.ToJsonLine(ev) : AuditTable.Line(ev));
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancel.IsCancellationRequested)
            {
                // Ctrl-C is how a tail ends.
            }
            return 0;
        }));
        return command;
    }
}
