using System.CommandLine;

namespace Sandboxd.Ctl.Commands;

internal static class AuditQueryCommand
{
    public static Command Build()
    {
        var filters = new AuditFilters();
        var limit = new Option<int>("--limit") { Description = "at most this many events, newest first (default 100)", DefaultValueFactory = _ => 100 };
        var page = new Option<string?>("--page-token") { Description = "continue after a previous page (its next_page_token)" };
        var json = CommonOptions.Json();
        var command = new Command("query", "search the audit record (every tier), newest first") { limit, page, json };
        filters.AddTo(command, timeRange: true);
        command.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            var request = filters.Query(result);
            request.Limit = result.GetValue(limit);
            request.PageToken = result.GetValue(page) ?? "";
            using var client = filters.Connect(result);
            var response = await client.QueryAsync(request, cancel);
            if (result.GetValue(json))
            {
                Console.WriteLine(CommonOptions.ToJson(response));
                return 0;
            }
            AuditTable.Print(response.Events);
            Console.Error.WriteLine($"{response.Events.Count} events from {(response.Tiers.Count == 0 ? "no tier" : string.Join("+", response.Tiers))}"
                + (response.NextPageToken.Length > 0 ? $"; more: --page-token {response.NextPageToken}" : ""));
            return 0;
        }));
        return command;
    }
}
