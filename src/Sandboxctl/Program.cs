using System.CommandLine;
using Sandboxd.Ctl.Commands;

namespace Sandboxd.Ctl;

public static class Program
{
    public static Task<int> Main(string[] args)
    {
        var root = new RootCommand("sandboxctl: create, run commands in and destroy sandboxd sandboxes");
        root.Options.Add(CommonOptions.Socket);
        ConnectionOptions.AddTo(root);
        root.Subcommands.Add(CreateCommand.Build());
        root.Subcommands.Add(ListCommand.Build());
        root.Subcommands.Add(GetCommand.Build());
        root.Subcommands.Add(ExecCommand.Build());
        root.Subcommands.Add(ExecutionCommands.Attach());
        root.Subcommands.Add(ExecutionCommands.Ps());
        root.Subcommands.Add(ExecutionCommands.Kill());
        root.Subcommands.Add(DestroyCommand.Build());
        root.Subcommands.Add(PauseCommand.Build());
        root.Subcommands.Add(PauseCommand.BuildUnpause());
        root.Subcommands.Add(PauseCommand.BuildStop());
        root.Subcommands.Add(PauseCommand.BuildResume());
        root.Subcommands.Add(TtlCommand.Build());
        root.Subcommands.Add(WatchCommand.Build());
        root.Subcommands.Add(DoctorCommand.Build());
        root.Subcommands.Add(NetworkCommand.Build());
        root.Subcommands.Add(AuditCommand.Build());
        root.Subcommands.Add(TokenCommand.Build());
        root.Subcommands.Add(CpCommand.Build());
        root.Subcommands.Add(FsCommand.Build());
        root.Subcommands.Add(ImageCommand.Build());
        root.Subcommands.Add(PoolCommand.Build());
        root.Subcommands.Add(ProfileCommand.Build());
        root.Subcommands.Add(GovernanceCommand.Build());
        return root.Parse(args).InvokeAsync();
    }
}
