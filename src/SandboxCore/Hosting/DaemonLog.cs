using Microsoft.Extensions.Logging;

namespace Sandboxd.Core.Hosting;

internal static partial class DaemonLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "sandboxd listening on {Socket} {Tcp}")]
    public static partial void Listening(ILogger log, string socket, string tcp);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "removed {Count} sandboxes left by a previous daemon")]
    public static partial void Swept(ILogger log, int count);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "idmapped mounts unavailable ({Reason}): root inside a sandbox sees the image's files as nobody's and cannot change /etc")]
    public static partial void NoIdmappedImage(ILogger log, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "cgroup favordynmods: {Detail}")]
    public static partial void CgroupMode(ILogger log, string detail);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "cgroup favordynmods not in force: {Detail}")]
    public static partial void CgroupModeOff(ILogger log, string detail);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "config {Source} loaded: {Principals} principals")]
    public static partial void ConfigLoaded(ILogger log, string source, int principals);

    [LoggerMessage(EventId = 7, Level = LogLevel.Error, Message = "config reload refused, the old config stays in force: {Error}")]
    public static partial void ConfigReloadFailed(ILogger log, string error);

    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "removed {Count} image imports or removals cut short by a previous daemon")]
    public static partial void ImportsSwept(ILogger log, int count);
}
