using System.CommandLine;
using Sandboxd.Api.Client;
using Sandboxd.Api.V1;

namespace Sandboxd.Ctl.Commands;

/// <summary>`pause ID...` and `unpause ID...`: freeze and thaw every process of a sandbox; `stop ID...` and
/// `resume ID...`: end them keeping the sandbox's files, and start it again.</summary>
internal static class PauseCommand
{
    public static Command Build() => Verb("pause", "freeze every process of a sandbox (no CPU, memory kept)", (c, id, t) => c.PauseAsync(id, t));

    public static Command BuildUnpause() => Verb("unpause", "thaw a paused sandbox", (c, id, t) => c.UnpauseAsync(id, t));

    public static Command BuildStop() =>
        Verb("stop", "end every process of a sandbox, keeping its files, config and network policy", (c, id, t) => c.StopAsync(id, t));

    public static Command BuildResume() => Verb("resume", "start a stopped sandbox again with its files", (c, id, t) => c.ResumeAsync(id, t));

    private static Command Verb(string name, string description, Func<SandboxesClient, string, CancellationToken, Task<Sandbox>> call)
    {
        var ids = new Argument<string[]>("id") { Description = "sandbox ids", Arity = ArgumentArity.OneOrMore };
        var command = new Command(name, description) { ids };
        command.SetAction((result, cancel) => CommonOptions.Run(async () =>
        {
            using var client = CommonOptions.Connect(result);
            foreach (var id in result.GetValue(ids)!)
            {
                var sandbox = await call(client, id, cancel);
                Console.WriteLine($"{id} {SandboxTable.StateName(sandbox.State)}");
            }
            return 0;
        }));
        return command;
    }
}
