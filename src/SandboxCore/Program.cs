using Sandboxd.Core.Hosting;
using Sandboxd.Governance.Config;
using Sandboxd.Governance.Profiles;
using Sandboxd.Isolation.Launch;
using Sandboxd.Isolation.Preflight;

namespace Sandboxd.Core;

public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(DaemonOptions.Usage);
            return 0;
        }
        DaemonOptions options;
        try
        {
            options = DaemonOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"sandboxd: {e.Message}\n{DaemonOptions.Usage}");
            return 2;
        }
        ConfigHolder config;
        try
        {
            config = ConfigHolder.Load(options.ConfigPath, DaemonConfigNames.Value);
        }
        catch (Exception e) when (e is ProfileFileException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"sandboxd: config: {e.Message}");
            return 2;
        }
        if (options.Listen is not null && options.TcpToken is null && !config.Current.Principals.Any(p => p.TokenSha256.Count > 0))
        {
            Console.Error.WriteLine($"sandboxd: --listen needs --token-file or a principal with tokens in {config.Current.Source}: TCP callers authenticate with a bearer token");
            return 2;
        }
        // Fail closed: a host that lacks a layer gets no sandboxes at all, and says why.
        var checks = HostChecks.Run();
        if (!HostChecks.AllRequiredOk(checks))
        {
            foreach (var failed in checks.Where(c => c.Required && !c.Ok))
                Console.Error.WriteLine($"sandboxd: {failed.Name}: {failed.Detail}");
            Console.Error.WriteLine("sandboxd: refusing to start; `sandboxctl doctor` prints every check");
            return 1;
        }
        // The attach mode is switched on (and logged) by the host unless --no-favordynmods.
        foreach (var off in checks.Where(c => !c.Required && !c.Ok && !(options.FavorDynMods && c.Name == HostChecks.CgroupAttachModeCheck)))
            Console.Error.WriteLine($"sandboxd: warning: {off.Name}: {off.Detail}");
        try
        {
            DaemonHost.Build(options, config).Run();
            return 0;
        }
        catch (SandboxSetupException e)
        {
            Console.Error.WriteLine($"sandboxd: {e.Message}");
            return 1;
        }
    }
}
