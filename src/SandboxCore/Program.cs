using Sandboxd.Core.Hosting;
using Sandboxd.Isolation.Launch;

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
        if (!Isolation.Preflight.IsRoot())
        {
            Console.Error.WriteLine("sandboxd: must run as root (it creates namespaces, mounts and cgroups)");
            return 1;
        }
        try
        {
            DaemonHost.Build(options).Run();
            return 0;
        }
        catch (SandboxSetupException e)
        {
            Console.Error.WriteLine($"sandboxd: {e.Message}");
            return 1;
        }
    }
}
