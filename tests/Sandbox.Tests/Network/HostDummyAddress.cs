using System.Net;
using System.Security.Cryptography;

namespace Sandboxd.Tests.Network;

/// <summary>A public-looking address the test gives the host itself, on an interface of its own
/// (a veth pair sbxt…d / sbxt…e, both ends in the host's netns: this kernel has no dummy links):
/// traffic to it stays on this machine (local route), and the pair goes on dispose. 100.63.0.0/16 sits just below carrier-grade NAT (100.64.0.0/10),
/// outside every special-purpose range, so only a host-address check can refuse it.</summary>
internal sealed class HostDummyAddress(string name, IPAddress v4, IPAddress v6) : IAsyncDisposable
{
    public string Interface { get; } = name;

    public IPAddress V4 { get; } = v4;

    public IPAddress V6 { get; } = v6;

    public static async Task<HostDummyAddress> AddAsync()
    {
        var tag = "sbxt" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var block = RandomNumberGenerator.GetInt32(1, 255);
        var dummy = new HostDummyAddress(tag + "d", IPAddress.Parse($"100.63.{block}.1"),
            IPAddress.Parse($"2a10:ffff:{block:x}::1"));
        await Shell.CheckAsync("ip", "link", "add", dummy.Interface, "type", "veth", "peer", "name", tag + "e");
        try
        {
            await Shell.CheckAsync("ip", "link", "set", dummy.Interface, "up");
            await dummy.AddAddressesAsync();
        }
        catch
        {
            await dummy.DisposeAsync();
            throw;
        }
        return dummy;
    }

    public async Task AddAddressesAsync()
    {
        await Shell.CheckAsync("ip", "addr", "add", $"{V4}/32", "dev", Interface);
        await Shell.CheckAsync("ip", "-6", "addr", "add", $"{V6}/128", "dev", Interface, "nodad");
    }

    public async Task RemoveAddressesAsync()
    {
        await Shell.CheckAsync("ip", "addr", "del", $"{V4}/32", "dev", Interface);
        await Shell.CheckAsync("ip", "-6", "addr", "del", $"{V6}/128", "dev", Interface);
    }

    public async ValueTask DisposeAsync() => await Shell.TryAsync("ip", "link", "del", Interface);
}
