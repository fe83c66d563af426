using System.CommandLine;

namespace Sandboxd.Ctl.Commands;

internal static class AuditVerifyCommand
{
    public static Command Build()
    {
        var json = CommonOptions.Json();
        var command = new Command("verify", "check the hash chain of the cold audit segments; exit 1 naming the first bad one") { json };
        command.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            using var client = new AuditFilters().Connect(result);
            var verdict = await client.VerifyAsync(cancel);
            if (result.GetValue(json))
                Console.WriteLine(CommonOptions.ToJson(verdict));
            else if (verdict.Ok)
                Console.WriteLine(verdict switch
                {
                    { HeadSegment: > 0 } => $"ok: {verdict.Segments} cold segments, chain intact up to the recorded head (segment {verdict.HeadSegment})",
                    { Segments: 0 } => "ok: no cold segments yet",
                    _ => $"ok: {verdict.Segments} cold segments, chain intact (no chain head recorded)",
                });
            if (verdict.Ok)
                return 0;
            string where = verdict.BadSegment > 0 ? $"segment {verdict.BadSegment} ({verdict.File})" : verdict.File;
            Console.Error.WriteLine($"sandboxctl: audit chain broken at {where}: {verdict.Reason}");
            return 1;
        }));
        return command;
    }
}
