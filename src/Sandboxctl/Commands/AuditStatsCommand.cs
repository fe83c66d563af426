using System.CommandLine;
using System.Globalization;

namespace Sandboxd.Ctl.Commands;

internal static class AuditStatsCommand
{
    public static Command Build()
    {
        var json = CommonOptions.Json();
        var command = new Command("stats", "counters of the audit pipeline (nothing is dropped without a count here)") { json };
        command.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            using var client = new AuditFilters().Connect(result);
            var stats = await client.StatsAsync(cancel);
            if (result.GetValue(json))
            {
                Console.WriteLine(CommonOptions.ToJson(stats));
                return 0;
            }
            foreach (var field in Sandboxd.Api.V1.AuditStats.Descriptor.Fields.InFieldNumberOrder())
                Console.WriteLine($"{field.Name,-18} {Convert.ToString(field.Accessor.GetValue(stats), CultureInfo.InvariantCulture)}");
            return 0;
        }));
        return command;
    }
}
