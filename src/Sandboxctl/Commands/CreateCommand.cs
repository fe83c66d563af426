using System.CommandLine;
using Sandboxd.Api.V1;

namespace Sandboxd.Ctl.Commands;

internal static class CreateCommand
{
    public static Command Build()
    {
        var image = new Option<string?>("--image") { Description = "an unpacked rootfs directory (default: the host's /usr + a generated /etc)" };
        var hostname = new Option<string?>("--hostname") { Description = "hostname inside the sandbox (default: its id)" };
        var json = CommonOptions.Json();
        var command = new Command("create", "create a sandbox and print its id") { image, hostname, json };
        command.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            using var client = CommonOptions.Connect(result);
            var request = new CreateRequest { Image = result.GetValue(image) is { } i ? Path.GetFullPath(i) : "", Hostname = result.GetValue(hostname) ?? "" };
            var sandbox = await client.CreateAsync(request, cancel: cancel);
            Console.WriteLine(result.GetValue(json) ? CommonOptions.ToJson(sandbox) : sandbox.Id);
            return 0;
        }));
        return command;
    }
}
