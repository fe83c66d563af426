using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Sandboxd.Governance.Config;

namespace Sandboxd.Core.Hosting;

/// <summary>SIGHUP re-reads the config file; a file that does not validate leaves the running
/// config in force and the log says why.</summary>
internal static class ConfigReload
{
    public static IDisposable OnSighup(ConfigHolder config, ILogger log)
    {
        DaemonLog.ConfigLoaded(log, config.Current.Source, config.Current.Principals.Count);
        return PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true; // SIGHUP's default would end the daemon
            if (config.Reload() is { } error)
                DaemonLog.ConfigReloadFailed(log, error);
            else
                DaemonLog.ConfigLoaded(log, config.Current.Source, config.Current.Principals.Count);
        });
    }
}
