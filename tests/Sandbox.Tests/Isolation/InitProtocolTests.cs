using System.Buffers.Binary;
using Sandboxd.Isolation.Launch;
using Xunit;

namespace Sandboxd.Tests.Isolation;

public sealed class InitProtocolTests
{
    [Fact]
    public void The_managed_mirror_has_the_sizes_of_native_init_proto_h() =>
        Assert.Null(InitProtocol.NativeSizeMismatch());

    [Fact]
    public void Root_capabilities_travel_as_a_64_bit_mask_after_the_type()
    {
        var message = InitProtocol.EncodeSetRootCapabilities(0x1_a00405fbUL);

        Assert.Equal(InitProtocol.CapsSize, message.Length);
        Assert.Equal(InitProtocol.MsgSetRootCaps, BinaryPrimitives.ReadUInt32LittleEndian(message));
        Assert.Equal(0x1_a00405fbUL, BinaryPrimitives.ReadUInt64LittleEndian(message.AsSpan(8)));
    }
}
