using System.Globalization;

namespace Sandboxd.Isolation.Network;

/// <summary>The veth between host and sandbox, made with `ip` (host side) and `nsenter --net … ip`
/// (sandbox side). The sandbox end is renamed eth0, gets the lease's address and a default route
/// via the host side only; IPv6 is switched off inside so no v6 path exists at all.</summary>
internal static class VethPair
{
    // Written inside the sandbox netns: /proc/sys/net follows the writer's netns.
    private const string SandboxScript =
        "for f in all default; do p=/proc/sys/net/ipv6/conf/$f/disable_ipv6; " +
        "[ ! -e $p ] || echo 1 > $p || exit 1; done; exec ip -batch -";

    public static async Task CreateAsync(string hostIface, string peerIface, int initPid, AddressLease lease)
    {
        var pid = initPid.ToString(CultureInfo.InvariantCulture);
        await HostCommand.RunAsync("ip: create veth", "ip", ["-batch", "-"],
            $"link add {hostIface} type veth peer name {peerIface}\n" +
            $"link set {peerIface} netns {pid}\n" +
            $"addr add {lease.HostAddress}/{AddressLease.PrefixLength} dev {hostIface}\n" +
            $"link set {hostIface} up\n");
        await HostCommand.RunAsync("nsenter: configure sandbox eth0", "nsenter",
            [$"--net=/proc/{pid}/ns/net", "--", "sh", "-c", SandboxScript],
            $"link set {peerIface} name eth0\n" +
            $"addr add {lease.SandboxAddress}/{AddressLease.PrefixLength} dev eth0\n" +
            "link set lo up\n" +
            "link set eth0 up\n" +
            $"route add default via {lease.HostAddress} dev eth0\n");
    }

    /// <summary>Deleting either end deletes both; when the sandbox's netns is already gone the
    /// kernel has removed the pair, which is success.</summary>
    public static async Task DeleteAsync(string hostIface)
    {
        if (!Directory.Exists($"/sys/class/net/{hostIface}"))
            return;
        try
        {
            await HostCommand.RunAsync("ip: delete veth", "ip", ["link", "del", hostIface]);
        }
        catch (NetworkSetupException) when (!Directory.Exists($"/sys/class/net/{hostIface}"))
        {
        }
    }
}
