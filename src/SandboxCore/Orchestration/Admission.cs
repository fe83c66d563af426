using System.Globalization;
using Sandboxd.Core.State;
using Sandboxd.Governance.Config;

namespace Sandboxd.Core.Orchestration;

/// <summary>Per-tenant quotas and the host-wide admission limit, from the config in force. A
/// create holds a reservation from its check until its sandbox is counted among the live ones,
/// so creates racing to the edge of a quota cannot both pass.</summary>
public sealed class Admission(ConfigHolder config)
{
    private readonly Lock _lock = new();
    private readonly List<Reservation> _pending = [];

    /// <summary>Reserves room for one sandbox of these limits in the tenant, or throws
    /// <see cref="QuotaExceededException"/>. Dispose releases it (a failed create).
    /// kept: stopped sandboxes, whose disk images still hold their disk (and nothing else).</summary>
    public Reservation Reserve(string tenant, SandboxLimits limits, IEnumerable<SandboxRecord> live, IEnumerable<SandboxRecord>? kept = null)
    {
        var current = config.Current;
        var keptDisks = (kept ?? []).Select(r => (r.Tenant, Disk: (double)r.Limits.DiskBytes)).ToList();
        lock (_lock)
        {
            var all = live.Select(r => (r.Tenant, r.Limits)).Concat(_pending.Select(p => (p.Tenant, p.Limits))).ToList();
            Check($"tenant {tenant}", current.QuotaOf(tenant), all.Where(s => s.Tenant == tenant).Select(s => s.Limits).ToList(), limits,
                keptDisks.Where(k => k.Tenant == tenant).Select(k => k.Disk));
            Check("host admission", current.Admission, all.Select(s => s.Limits).ToList(), limits, keptDisks.Select(k => k.Disk));
            var reservation = new Reservation(this, tenant, limits);
            _pending.Add(reservation);
            return reservation;
        }
    }

    private static void Check(string scope, TenantQuota quota, List<SandboxLimits> held, SandboxLimits wanted, IEnumerable<double> keptDisks)
    {
        if (quota.Sandboxes is { } max && held.Count + 1 > max)
            throw Over(scope, "sandboxes", max.ToString(CultureInfo.InvariantCulture), held.Count + 1 - max);
        Sum(scope, "memory", quota.MemoryBytes, held.Select(l => (double)l.MemoryBytes), wanted.MemoryBytes, " bytes");
        Sum(scope, "cpus", quota.Cpus, held.Select(l => l.Cpus), wanted.Cpus, " cores");
        Sum(scope, "disk", quota.DiskBytes, held.Select(l => (double)l.DiskBytes).Concat(keptDisks), wanted.DiskBytes, " bytes");
    }

    /// <summary>A limit of 0 is "unlimited", which no finite quota holds.</summary>
    private static void Sum(string scope, string name, double? quota, IEnumerable<double> held, double wanted, string unit)
    {
        if (quota is not { } max)
            return;
        string value = max.ToString(CultureInfo.InvariantCulture) + unit;
        if (wanted <= 0)
            throw new QuotaExceededException($"{scope}: quota {name} is {value}; a sandbox without a {name} limit does not fit in it (set resources.{name})");
        var total = held.Where(h => h > 0).Sum() + wanted;
        if (total > max)
            throw Over(scope, name, value, total - max, unit);
    }

    private static QuotaExceededException Over(string scope, string name, string value, double over, string unit = "") =>
        new($"{scope}: quota {name} is {value}; this create would exceed it by {over.ToString(CultureInfo.InvariantCulture)}{unit}");

    /// <summary>Counted with the live sandboxes by <paramref name="makeLive"/>, in the same step.</summary>
    internal void Commit(Reservation reservation, Action makeLive)
    {
        lock (_lock)
        {
            makeLive();
            _pending.Remove(reservation);
        }
    }

    private void Release(Reservation reservation)
    {
        lock (_lock)
            _pending.Remove(reservation);
    }

    public sealed class Reservation(Admission owner, string tenant, SandboxLimits limits) : IDisposable
    {
        public string Tenant => tenant;

        public SandboxLimits Limits => limits;

        public void Commit(Action makeLive) => owner.Commit(this, makeLive);

        public void Dispose() => owner.Release(this);
    }
}
