using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Sandboxd.Core.Api;

/// <summary>The uid of the process at the other end of a Unix socket connection.</summary>
internal static class PeerCredentials
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    private const string CacheKey = "sandboxd.peer-uid";

    /// <summary>SO_PEERCRED's uid; null on TCP or when the socket is already gone. Read once per
    /// connection: the peer cannot change, and an exec should not pay a syscall for it each time.</summary>
    public static int? Uid(HttpContext httpContext)
    {
        var items = httpContext.Features.Get<IConnectionItemsFeature>()?.Items;
        if (items is not null && items.TryGetValue(CacheKey, out object? cached))
            return (int?)cached;
        int? uid = Read(httpContext);
        if (items is not null)
            items[CacheKey] = uid;
        return uid;
    }

    private static int? Read(HttpContext httpContext)
    {
        Socket? socket = httpContext.Features.Get<IConnectionSocketFeature>()?.Socket;
        if (socket is null || socket.AddressFamily != AddressFamily.Unix)
            return null;
        Span<int> ucred = stackalloc int[3]; // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        try
        {
            int length = socket.GetRawSocketOption(SolSocket, SoPeerCred, MemoryMarshal.AsBytes(ucred));
            return length == sizeof(int) * 3 ? ucred[1] : null;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return null;
        }
    }
}
