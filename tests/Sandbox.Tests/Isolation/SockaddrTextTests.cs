using System.Text;
using Sandboxd.Isolation.Launch;
using Xunit;

namespace Sandboxd.Tests.Isolation;

/// <summary>The connect() address in the audit record: only the bytes the caller's addrlen
/// covers, a pathname socket up to its first NUL, abstract and unnamed sockets distinct.</summary>
public sealed class SockaddrTextTests
{
    private static byte[] Unix(byte[] sunPath) => [1, 0, .. sunPath];

    [Fact]
    public void A_pathname_socket_ends_at_its_terminating_nul_not_at_the_addrlen()
    {
        // What glibc-using programs pass: the path, its NUL, then whatever the buffer held.
        var path = Encoding.ASCII.GetBytes("/run/uuidd/request");
        byte[] sunPath = [.. path, 0, (byte)'g', (byte)'a', 0x7f, (byte)'x', .. new byte[20]];
        Assert.Equal("unix:/run/uuidd/request", SockaddrText.Format(Unix(sunPath)));
    }

    [Fact]
    public void A_pathname_socket_without_a_nul_ends_at_the_addrlen()
    {
        Assert.Equal("unix:/tmp/s", SockaddrText.Format(Unix(Encoding.ASCII.GetBytes("/tmp/s"))));
    }

    [Fact]
    public void An_addrlen_beyond_sun_path_is_cut_at_its_108_bytes()
    {
        var sunPath = Enumerable.Repeat((byte)'a', 120).ToArray();
        Assert.Equal("unix:" + new string('a', 108), SockaddrText.Format(Unix(sunPath)));
    }

    [Fact]
    public void An_abstract_socket_reads_as_at_name_with_its_inner_bytes_escaped()
    {
        byte[] sunPath = [0, .. Encoding.ASCII.GetBytes("dbus"), 0, (byte)'x'];
        Assert.Equal(@"unix:@dbus\x00x", SockaddrText.Format(Unix(sunPath)));
    }

    [Fact]
    public void An_unnamed_socket_and_a_pathname_socket_named_at_differ()
    {
        Assert.Equal("unix:(unnamed)", SockaddrText.Format(Unix([])));
        Assert.Equal("unix:@x", SockaddrText.Format(Unix([0, (byte)'x'])));
        Assert.Equal("unix:\\x01\\x5c", SockaddrText.Format(Unix([1, (byte)'\\'])));
    }

    [Fact]
    public void Inet_addresses_read_as_address_and_port()
    {
        Assert.Equal("10.0.0.1:443", SockaddrText.Format([2, 0, 1, 0xbb, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]));
        byte[] v6 = [10, 0, 0, 80, 0, 0, 0, 0, .. new byte[15], 1, 0, 0, 0, 0];
        Assert.Equal("[::1]:80", SockaddrText.Format(v6));
        Assert.Equal("", SockaddrText.Format([1]));
        Assert.Equal("family 40", SockaddrText.Format([40, 0, 0, 0]));
    }
}
