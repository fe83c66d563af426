using Microsoft.Extensions.DependencyInjection;
using Sandboxd.Core.Metrics;
using Sandboxd.Core.Network;
using Sandboxd.Isolation.Network;

namespace Sandboxd.Core.Hosting;

/// <summary>The egress network's services. The container owns the one <see cref="EgressNetwork"/>:
/// it is created before the orchestrator that uses it, so it is disposed after it — once every
/// sandbox is destroyed — and its disposal removes the nftables table.</summary>
public static class NetworkServices
{
    public static IServiceCollection AddEgressNetwork(this IServiceCollection services, NetworkDaemonOptions options) => services
        .AddSingleton<AuditNetworkEventSink>()
        .AddSingleton<INetworkEventSink>(sp => new MeteredNetworkEventSink(sp.GetRequiredService<AuditNetworkEventSink>(),
            sp.GetRequiredService<DaemonMetrics>()))
        .AddSingleton(sp => new EgressNetwork(options.ToEgressOptions(sp.GetRequiredService<INetworkEventSink>())))
        .AddSingleton<SandboxNetworks>();
}
