using System.CommandLine;

namespace Sandboxd.Ctl.Commands;

/// <summary>`sandboxctl network update ID --allow-domain …`: replaces the whole policy (what is
/// not given is no longer allowed); open connections keep running, new ones follow it.</summary>
internal static class NetworkUpdateCommand
{
    public static Command Build()
    {
        var id = new Argument<string>("id") { Description = "sandbox id (created with --network egress)" };
        var policy = new EgressPolicyOptions();
        var json = CommonOptions.Json();
        var command = new Command("update", "replace the egress policy of a running sandbox") { id, json };
        policy.AddTo(command);
        command.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            using var client = CommonOptions.Connect(result);
            var sandbox = await client.UpdateNetworkPolicyAsync(result.GetValue(id)!, policy.Read(result), cancel);
            Console.WriteLine(result.GetValue(json) ? CommonOptions.ToJson(sandbox) : CommonOptions.ToJson(sandbox.Network.Policy));
            return 0;
        }));
        return command;
    }
}
