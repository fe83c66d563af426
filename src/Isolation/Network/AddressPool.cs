using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Sandboxd.Isolation.Network;

/// <summary>Hands out /30s from an IPv4 pool (e.g. 10.213.0.0/16 → 16384 sandboxes). Thread-safe.</summary>
public sealed class AddressPool
{
    private readonly uint _base;
    private readonly int _slots;
    private readonly HashSet<int> _used = [];
    private readonly Lock _lock = new();

    public AddressPool(string cidr)
    {
        if (!IPNetwork.TryParse(cidr, out var network) || network.BaseAddress.AddressFamily != AddressFamily.InterNetwork
            || network.PrefixLength > AddressLease.PrefixLength)
            throw new ArgumentException($"address pool must be an IPv4 CIDR of /30 or wider, not '{cidr}'", nameof(cidr));
        _base = BinaryPrimitives.ReadUInt32BigEndian(network.BaseAddress.GetAddressBytes());
        _slots = 1 << (AddressLease.PrefixLength - network.PrefixLength);
    }

    public AddressLease Allocate()
    {
        lock (_lock)
        {
            for (var slot = 0; slot < _slots; slot++)
            {
                if (_used.Add(slot))
                    return new AddressLease(slot, Address(slot, 1), Address(slot, 2));
            }
        }
        throw new NetworkSetupException("address pool", $"all {_slots} /30 blocks are in use");
    }

    public void Release(AddressLease lease)
    {
        lock (_lock)
            _used.Remove(lease.Slot);
    }

    private IPAddress Address(int slot, int host)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, _base + (uint)(slot * 4 + host));
        return new IPAddress(bytes);
    }
}
