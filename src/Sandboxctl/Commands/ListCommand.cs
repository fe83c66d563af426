using System.CommandLine;

namespace Sandboxd.Ctl.Commands;

internal static class ListCommand
{
    public static Command Build()
    {
        var json = CommonOptions.Json();
        var command = new Command("list", "list running sandboxes") { json };
        command.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            using var client = CommonOptions.Connect(result);
            var list = await client.ListAsync(cancel);
            if (result.GetValue(json))
                Console.WriteLine(CommonOptions.ToJson(list));
            else
                SandboxTable.Print(list.Sandboxes);
            return 0;
        }));
        return command;
    }
}
