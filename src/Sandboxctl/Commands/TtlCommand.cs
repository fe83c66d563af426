using System.CommandLine;
using Sandboxd.Api.Client;

namespace Sandboxd.Ctl.Commands;

/// <summary>`ttl extend ID DURATION`: moves a sandbox's TTL deadline later.</summary>
internal static class TtlCommand
{
    public static Command Build()
    {
        var id = new Argument<string>("id") { Description = "sandbox id" };
        var by = new Argument<string>("duration") { Description = "how much later (30m, 2h, ...): from the current deadline, or from now without one" };
        var json = CommonOptions.Json();
        var extend = new Command("extend", "move the sandbox's TTL deadline later") { id, by, json };
        extend.Validators.Add(r =>
        {
            if (!DurationText.TryParse(r.GetValue(by) ?? "", out var d) || d <= TimeSpan.Zero)
                r.AddError($"duration takes a duration like 30s, 15m, 2h or 500ms, not '{r.GetValue(by)}'");
        });
        extend.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            using var client = CommonOptions.Connect(result);
            var sandbox = await client.ExtendTtlAsync(result.GetValue(id)!, DurationText.Parse("duration", result.GetValue(by)!), cancel);
            Console.WriteLine(result.GetValue(json) ? CommonOptions.ToJson(sandbox)
                : $"{sandbox.Id} deadline {DateTimeOffset.FromUnixTimeMilliseconds(sandbox.DeadlineUnixMs).ToString("yyyy-MM-dd HH:mm:ss zzz", System.Globalization.CultureInfo.InvariantCulture)}");
            return 0;
        }));
        return new Command("ttl", "a sandbox's time to live") { extend };
    }
}
