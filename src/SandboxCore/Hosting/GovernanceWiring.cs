using Microsoft.Extensions.DependencyInjection;
using Sandboxd.Audit;
using Sandboxd.Core.Orchestration.Governance;
using Sandboxd.Governance.Approval;
using Sandboxd.Governance.Config;

namespace Sandboxd.Core.Hosting;

/// <summary>Proposals and votes in the state dir's governance.db; the matrix read from the
/// config in force at each proposal, so a SIGHUP reload applies to the next one.</summary>
internal static class GovernanceWiring
{
    public static IServiceCollection AddGovernance(this IServiceCollection services, string stateDir)
    {
        var path = Path.Combine(stateDir, "governance.db");
        services.AddSingleton(_ => new ProposalStore(path));
        services.AddSingleton(_ => new ProposalRequests(path));
        services.AddSingleton(sp => new AuditGovernanceEvents(sp.GetRequiredService<IAuditSink>()));
        services.AddSingleton<GovernanceNotifier>();
        services.AddSingleton(sp =>
        {
            var config = sp.GetRequiredService<ConfigHolder>();
            return new ApprovalEngine(sp.GetRequiredService<ProposalStore>(), tenant => config.Current.ApprovalFor(tenant),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<GovernanceNotifier>());
        });
        services.AddSingleton<GovernanceGate>();
        return services;
    }
}
