using System.CommandLine;

namespace Sandboxd.Ctl.Commands;

internal static class DestroyCommand
{
    public static Command Build()
    {
        var ids = new Argument<string[]>("id") { Description = "sandbox ids", Arity = ArgumentArity.OneOrMore };
        var command = new Command("destroy", "kill every process of a sandbox and remove it (idempotent)") { ids };
        command.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            using var client = CommonOptions.Connect(result);
            foreach (var id in result.GetValue(ids)!)
            {
                var response = await client.DestroyAsync(id, cancel);
                Console.WriteLine(response.Existed ? $"{id} destroyed" : $"{id} was already gone");
            }
            return 0;
        }));
        return command;
    }
}
