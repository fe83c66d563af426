using Google.Protobuf;
using Sandboxd.Core.Api.Mapping;
using Sandboxd.Core.Network;
using Xunit;
using V1 = Sandboxd.Api.V1;

namespace Sandboxd.Tests.Architecture;

/// <summary>The stored forms stay what earlier daemons wrote: a create waiting for votes is its
/// CreateRequest's bytes and a sandbox's network its NetworkConfig's, so a daemon over an old
/// state dir reads them, and what it writes reads back the same.</summary>
public sealed class StoredFormsTests
{
    private readonly ProtoStoredForms _forms = new();

    [Fact]
    public void A_stored_create_request_reads_back_field_for_field()
    {
        var request = new V1.CreateRequest
        {
            Image = "alpine", Hostname = "h1", Profile = "medium", TtlMs = 60_000, IdleTimeoutMs = 5_000,
            Labels = { ["team"] = "a", ["env"] = "dev" },
            Resources = new V1.Resources { MemoryBytes = 64 << 20, Pids = 32, Cpus = 0.5, DiskBytes = 8 << 20 },
            Network = new V1.NetworkConfig
            {
                Mode = V1.NetworkMode.Egress, Transparent = true,
                Policy = new V1.EgressPolicy { AllowDomains = { "example.com" }, AllowPorts = { 443 }, MaxBytesPerSecond = 1000 },
            },
            // Optional fields: set ones (false and 0 included) stay set, unset ones stay unset.
            Overrides = new V1.SpecOverrides
            {
                Egress = false, Seccomp = "strict", MemoryBytes = 0, TtlSeconds = 30, ReplaceMounts = true,
                Mounts = { new V1.HostMount { Source = "/srv", ReadOnly = true } },
            },
        };
        var stored = request.ToByteArray();

        var again = V1.CreateRequest.Parser.ParseFrom(_forms.EncodeCreate(_forms.DecodeCreate(stored)));

        Assert.Equal(request, again);
        Assert.False(again.Overrides.HasIsolation);
        Assert.True(again.Overrides.HasEgress);
    }

    [Fact]
    public void A_stored_network_reads_back_with_its_policy()
    {
        var stored = new V1.NetworkConfig
        {
            Mode = V1.NetworkMode.Egress,
            Policy = new V1.EgressPolicy { AllowDomains = { "*.example.com" }, AllowCidrs = { "203.0.113.0/24" }, AllowPorts = { 8443 }, MaxConnections = 9 },
        }.ToByteArray();

        var network = _forms.DecodeNetwork(stored);

        Assert.Equal(NetworkMode.Egress, network.Mode);
        Assert.Equal(["*.example.com"], network.Policy.AllowedDomains);
        Assert.Equal([8443], network.Policy.AllowedPorts);
        Assert.Equal(9, network.Policy.MaxConnections);
        Assert.Equal(stored, _forms.EncodeNetwork(network, network.Policy));
        Assert.Equal(NetworkMode.None, _forms.DecodeNetwork(new V1.NetworkConfig().ToByteArray()).Mode);
    }
}
