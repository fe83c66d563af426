using System.CommandLine;
using Sandboxd.Api.V1;

namespace Sandboxd.Ctl.Commands;

/// <summary>`pool list`: the warm pool's lanes, how full each is, its hits and misses.</summary>
internal static class PoolCommand
{
    public static Command Build()
    {
        var json = CommonOptions.Json();
        var list = new Command("list", "prepared sandboxes per profile and image, with hits and misses") { json };
        list.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            using var client = CommonOptions.Connect(result);
            var lanes = await new Pools.PoolsClient(client.Connection.Channel).ListAsync(new ListPoolsRequest(), client.Connection.Options(null, cancel));
            if (result.GetValue(json))
            {
                Console.WriteLine(CommonOptions.ToJson(lanes));
                return 0;
            }
            Console.WriteLine("PROFILE\tIMAGE\tEGRESS\tREADY/TARGET\tHITS\tMISSES");
            foreach (var l in lanes.Lanes)
                Console.WriteLine($"{l.Profile}\t{(l.Image.Length == 0 ? "default" : l.Image)}\t{(l.Egress ? "yes" : "no")}\t{l.Ready}/{l.Target}\t{l.Hits}\t{l.Misses}" +
                    (l.LastError.Length > 0 ? $"\tlast error: {l.LastError}" : ""));
            return 0;
        }));
        var command = new Command("pool", "the warm pool (sandboxd.yaml pools:, --warm-pool, --warm-egress)");
        command.Subcommands.Add(list);
        return command;
    }
}
