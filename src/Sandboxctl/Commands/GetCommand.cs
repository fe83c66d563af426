using System.CommandLine;

namespace Sandboxd.Ctl.Commands;

internal static class GetCommand
{
    public static Command Build()
    {
        var id = new Argument<string>("id") { Description = "sandbox id" };
        var json = CommonOptions.Json();
        var command = new Command("get", "show one sandbox") { id, json };
        command.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            using var client = CommonOptions.Connect(result);
            var sandbox = await client.GetAsync(result.GetValue(id)!, cancel);
            if (result.GetValue(json))
                Console.WriteLine(CommonOptions.ToJson(sandbox));
            else
                SandboxTable.Print([sandbox]);
            return 0;
        }));
        return command;
    }
}
