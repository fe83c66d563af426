using Sandboxd.Core.State;

namespace Sandboxd.Core.Orchestration;

/// <summary>Tenancy, decided here and nowhere else: every lookup of a sandbox by id and every
/// listing goes through these, so a service that finds sandboxes through the orchestrator is
/// scoped too. A caller sees its own tenant's sandboxes; another tenant's id is not found,
/// exactly like an id that never existed; admins (the operator) see all. Outside an API call
/// (shutdown, timers) nothing is hidden.</summary>
public sealed partial class Orchestrator
{
    private static bool Visible(SandboxRecord record) =>
        Api.CallCorrelation.Current?.Caller is not { IsOperator: false } caller || caller.Tenant == record.Tenant;

    /// <summary>The live sandbox with this id, if the caller may see it.</summary>
    internal bool TryGetVisible(string id, out LiveSandbox live)
    {
        if (_live.TryGetValue(id, out var found) && Visible(found.Record))
        {
            live = found;
            return true;
        }
        live = null!;
        return false;
    }

    /// <summary>The live sandbox with this id, or NOT_FOUND (another tenant's included).</summary>
    internal LiveSandbox VisibleLive(string id) => TryGetVisible(id, out var live) ? live : throw new SandboxNotFoundException(id);

    private IEnumerable<LiveSandbox> VisibleLiveSandboxes() => _live.Values.Where(l => Visible(l.Record));

    private static SandboxRecord? VisibleRecord(SandboxRecord? record) => record is not null && Visible(record) ? record : null;

    /// <summary>The tenant a create made now belongs to: the caller's.</summary>
    private static string CallerTenant => Api.CallCorrelation.Current?.Tenant ?? Api.CallCorrelation.DefaultTenant;
}
