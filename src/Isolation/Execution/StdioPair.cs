using System.Net.Sockets;
using System.Runtime.InteropServices;
using Sandboxd.Isolation.Interop;
using Sandboxd.Isolation.Launch;

namespace Sandboxd.Isolation.Execution;

/// <summary>A socketpair for one stdio stream: the daemon keeps <see cref="Local"/> (async I/O
/// through epoll), the command gets <see cref="RemoteFd"/>, closed here once init has its copy.</summary>
internal sealed unsafe class StdioPair : IDisposable
{
    private StdioPair(Socket local, int remoteFd)
    {
        Local = local;
        RemoteFd = remoteFd;
    }

    public Socket Local { get; }

    public int RemoteFd { get; private set; }

    public static StdioPair Create()
    {
        int* sv = stackalloc int[2];
        if (Native.SocketPair(Native.AF_UNIX, Native.SOCK_STREAM | Native.SOCK_CLOEXEC, 0, sv) == -1)
            throw new SandboxSetupException("socketpair for stdio", Marshal.GetLastPInvokeError());
        return new StdioPair(new Socket(new SafeSocketHandle(sv[0], ownsHandle: true)), sv[1]);
    }

    public void CloseRemote()
    {
        if (RemoteFd >= 0)
            Native.Close(RemoteFd);
        RemoteFd = -1;
    }

    public void Dispose()
    {
        CloseRemote();
        Local.Dispose();
    }
}
