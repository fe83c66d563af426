using System.Net;
using System.Security.Cryptography;

namespace Sandboxd.Isolation.Network;

/// <summary>Egress networking for the host: attaches a running sandbox's netns (by its init's
/// pid) to a veth, a firewall entry and its own proxy listener. One instance per daemon; disposing
/// it removes the nftables table.</summary>
public sealed class EgressNetwork : IAsyncDisposable
{
    private readonly EgressOptions _options;
    private readonly AddressPool _pool;
    private readonly SemaphoreSlim _tableLock = new(1, 1);
    private bool _tableReady;
    private bool _keepTable;

    public EgressNetwork(EgressOptions options)
    {
        _options = options;
        _pool = new AddressPool(options.AddressPool);
    }

    /// <summary>Sets up egress for the netns of <paramref name="initPid"/>. The firewall entry goes
    /// in before the veth exists, so the sandbox is never reachable-but-unfiltered; any failure
    /// undoes what was done and throws <see cref="NetworkSetupException"/> naming the step.</summary>
    /// <param name="transparent">Also redirect every other TCP connection from the sandbox to the
    /// proxy, for programs that ignore the proxy variables (policy then comes from SNI / Host).</param>
    public async Task<IEgressAttachment> AttachAsync(string sandboxId, int initPid, EgressPolicy policy,
        bool transparent = false)
    {
        var matcher = new PolicyMatcher(policy);
        if (!File.Exists($"/proc/{initPid}/ns/net"))
            throw new NetworkSetupException("attach", $"no process {initPid} (sandbox {sandboxId} gone?)");
        await EnsureTableAsync();
        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var hostIface = $"sbx{suffix}h";
        var lease = _pool.Allocate();
        NftRuleset.TransparentPorts? transparentPorts = transparent ? new(_options.TransparentPort, _options.DnsPort) : null;
        var chainAdded = false;
        SandboxProxy? proxy = null;
        try
        {
            await Nft("nft: add sandbox chain", NftRuleset.AddSandbox(_options.NftTable, hostIface, lease.HostAddress,
                _options.ProxyPort, transparentPorts));
            chainAdded = true;
            await VethPair.CreateAsync(hostIface, $"sbx{suffix}s", initPid, lease);
            proxy = new SandboxProxy(sandboxId, new IPEndPoint(lease.HostAddress, _options.ProxyPort),
                transparentPorts?.Tcp, matcher, _options);
            proxy.Start();
            // Last, so nothing after it can fail and leave the stub's socket open.
            var dns = transparent ? new DnsStub(proxy, new IPEndPoint(lease.HostAddress, _options.DnsPort)) : null;
            return new EgressAttachment(this, sandboxId, hostIface, lease, proxy, dns, _options.ProxyPort, transparent);
        }
        catch
        {
            if (proxy is not null)
                await proxy.DisposeAsync();
            if (chainAdded)
            {
                await Quietly(() => VethPair.DeleteAsync(hostIface));
                await Quietly(() => Nft("nft: remove sandbox chain", NftRuleset.RemoveSandbox(_options.NftTable, hostIface,
                    transparent)));
            }
            _pool.Release(lease);
            throw;
        }
    }

    internal async Task DetachAsync(string hostIface, AddressLease lease, SandboxProxy proxy, DnsStub? dns, bool transparent)
    {
        if (dns is not null)
            await dns.DisposeAsync();
        await proxy.DisposeAsync();
        try
        {
            await VethPair.DeleteAsync(hostIface);
        }
        finally
        {
            // The chain goes even if the veth would not: a leftover rule for a gone interface is
            // harmless, a leftover veth without its rule would not be.
            await Nft("nft: remove sandbox chain", NftRuleset.RemoveSandbox(_options.NftTable, hostIface, transparent));
            _pool.Release(lease);
        }
    }

    /// <summary>After a daemon restart, before any attach: the sandbox side of a veth a previous
    /// daemon made for the netns of <paramref name="initPid"/> (eth0) is deleted, and with it the
    /// pair. Called for every re-adopted sandbox before <see cref="DropStaleTableAsync"/>, so none
    /// is ever left on a veth without its firewall entry.</summary>
    public static async Task DropStaleVethAsync(int initPid)
    {
        var pid = initPid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await HostCommand.RunAsync("nsenter: delete the previous daemon's eth0", "nsenter",
            [$"--net=/proc/{pid}/ns/net", "--", "sh", "-c", "[ ! -e /sys/class/net/eth0 ] || exec ip link del eth0"]);
    }

    /// <summary>A previous daemon's table (its chains name veths that are gone now): removed, so a
    /// daemon that attaches nothing leaves none behind; the first attach makes a fresh one.</summary>
    public async Task DropStaleTableAsync()
    {
        await _tableLock.WaitAsync();
        try
        {
            if (!_tableReady)
                await Nft("nft: delete the previous daemon's table", NftRuleset.Table(_options.NftTable) + NftRuleset.DeleteTable(_options.NftTable));
        }
        finally
        {
            _tableLock.Release();
        }
    }

    /// <summary>The daemon exits and leaves its sandboxes running: their veths stay filtered by the
    /// table, which the next daemon replaces.</summary>
    public void KeepTableOnDispose() => _keepTable = true;

    public async ValueTask DisposeAsync()
    {
        await _tableLock.WaitAsync();
        try
        {
            if (_tableReady && !_keepTable)
                await Nft("nft: delete table", NftRuleset.DeleteTable(_options.NftTable));
            _tableReady = false;
        }
        finally
        {
            _tableLock.Release();
        }
        _tableLock.Dispose();
    }

    private async Task EnsureTableAsync()
    {
        await _tableLock.WaitAsync();
        try
        {
            if (!_tableReady)
                await Nft("nft: create table", NftRuleset.Table(_options.NftTable));
            _tableReady = true;
        }
        finally
        {
            _tableLock.Release();
        }
    }

    private static Task Nft(string step, string ruleset) => HostCommand.RunAsync(step, "nft", ["-f", "-"], ruleset);

    private static async Task Quietly(Func<Task> undo)
    {
        try
        {
            await undo();
        }
        catch (NetworkSetupException)
        {
            // Best effort while unwinding; the original failure is what gets reported.
        }
    }
}
