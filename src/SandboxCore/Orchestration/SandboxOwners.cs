using System.Collections.Concurrent;
using Sandboxd.Audit.Events;

namespace Sandboxd.Core.Orchestration;

/// <summary>The correlation of the call that created each live sandbox. Events no API call
/// causes directly (a proxy decision, an init that died) are stamped with it, so they carry the
/// sandbox's tenant and principal and a tenant's audit query finds them.</summary>
public sealed class SandboxOwners
{
    private readonly ConcurrentDictionary<string, AuditCorrelation> _owners = new(StringComparer.Ordinal);

    public void Set(string sandboxId, AuditCorrelation creator) => _owners[sandboxId] = creator;

    public AuditCorrelation Of(string sandboxId) => _owners.TryGetValue(sandboxId, out var creator) ? creator : AuditCorrelation.None;

    public void Forget(string sandboxId) => _owners.TryRemove(sandboxId, out _);
}
