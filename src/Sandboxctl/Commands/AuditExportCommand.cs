using System.CommandLine;
using System.Text;

namespace Sandboxd.Ctl.Commands;

internal static class AuditExportCommand
{
    public static Command Build()
    {
        var filters = new AuditFilters();
        var output = new Option<FileInfo>("--out") { Description = "the JSON lines file to write", Required = true };
        var command = new Command("export", "write every matching event (all pages, newest first) to a JSON lines file") { output };
        filters.AddTo(command, timeRange: true);
        command.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            var request = filters.Query(result);
            request.Limit = 1000;
            var file = result.GetValue(output)!;
            // Written beside the target and renamed, so a failed export leaves no half file behind.
            string temp = file.FullName + ".partial";
            long count = 0;
            using var client = filters.Connect(result);
            await using (var writer = new StreamWriter(temp, append: false, new UTF8Encoding(false)))
            {
                await foreach (var ev in client.QueryAllAsync(request, cancel))
                {
                    await writer.WriteLineAsync(CommonOptions.ToJsonLine(ev).AsMemory(), cancel);
                    count++;
                }
            }
            File.Move(temp, file.FullName, overwrite: true);
            Console.Error.WriteLine($"exported {count} events to {file.FullName}");
            return 0;
        }));
        return command;
    }
}
