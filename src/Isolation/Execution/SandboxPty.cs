using System.Runtime.InteropServices;
using Sandboxd.Isolation.Interop;
using Sandboxd.Isolation.Launch;

namespace Sandboxd.Isolation.Execution;

/// <summary>A pseudo-terminal from the sandbox's own devpts instance (mounted newinstance at its
/// /dev/pts): the daemon keeps the master, the command gets the slave, and the sandbox can name
/// no pty of the host's. The ptmx is opened through init's root with RESOLVE_IN_ROOT, so a link
/// the sandbox planted cannot lead the daemon out, and it must really be a devpts.</summary>
public sealed unsafe class SandboxPty : IDisposable
{
    private SandboxPty(int master, int slave)
    {
        MasterFd = master;
        SlaveFd = slave;
    }

    public int MasterFd { get; private set; }

    /// <summary>Closed (here) once init holds its copies.</summary>
    public int SlaveFd { get; private set; }

    public static SandboxPty Open(int initPid, ushort rows, ushort cols)
    {
        int root;
        fixed (byte* rootPath = System.Text.Encoding.UTF8.GetBytes($"/proc/{initPid}/root\0"))
            root = Native.Open(rootPath, Native.O_PATH | Native.O_DIRECTORY | Native.O_CLOEXEC, 0);
        if (root < 0)
            throw new SandboxSetupException("open the sandbox's root for its pty", Marshal.GetLastPInvokeError());
        int master;
        try
        {
            var how = new Native.OpenHow
            {
                Flags = (ulong)(Native.O_RDWR | Native.O_NOCTTY | Native.O_CLOEXEC),
                Resolve = Native.RESOLVE_IN_ROOT | Native.RESOLVE_NO_MAGICLINKS,
            };
            fixed (byte* path = "dev/pts/ptmx\0"u8)
                master = Native.Openat2(root, path, &how);
            if (master < 0)
                throw new SandboxSetupException("open the sandbox's /dev/pts/ptmx", Marshal.GetLastPInvokeError());
        }
        finally
        {
            Native.Close(root);
        }
        try
        {
            var fs = stackalloc byte[256];
            if (Native.FStatFs(master, fs) == -1 || *(long*)fs != Native.DEVPTS_SUPER_MAGIC)
                throw new SandboxSetupException("the sandbox's /dev/pts/ptmx is not a devpts", Errno.ENOTTY);
            int unlock = 0;
            if (Native.Ioctl(master, Native.TIOCSPTLCK, (nint)(&unlock)) == -1)
                throw new SandboxSetupException("unlockpt", Marshal.GetLastPInvokeError());
            int slave = Native.Ioctl(master, Native.TIOCGPTPEER, Native.O_RDWR | Native.O_NOCTTY | Native.O_CLOEXEC);
            if (slave < 0)
                throw new SandboxSetupException("open the pty's slave", Marshal.GetLastPInvokeError());
            var pty = new SandboxPty(master, slave);
            pty.Resize(rows, cols);
            return pty;
        }
        catch
        {
            Native.Close(master);
            throw;
        }
    }

    /// <summary>TIOCSWINSZ on the master: the kernel sends SIGWINCH to the foreground group.</summary>
    public void Resize(ushort rows, ushort cols)
    {
        ushort* size = stackalloc ushort[4];
        size[0] = rows;
        size[1] = cols;
        size[2] = size[3] = 0;
        if (MasterFd >= 0)
            Native.Ioctl(MasterFd, Native.TIOCSWINSZ, (nint)size);
    }

    /// <summary>Blocking; 0 once every slave fd is closed (EIO).</summary>
    public int Read(Span<byte> buffer)
    {
        while (true)
        {
            nint n;
            fixed (byte* b = buffer)
                n = Native.Read(MasterFd, b, buffer.Length);
            if (n >= 0)
                return (int)n;
            if (Marshal.GetLastPInvokeError() != Errno.EINTR)
                return 0;
        }
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            nint n;
            fixed (byte* b = data)
                n = Native.Write(MasterFd, b, data.Length);
            if (n < 0)
            {
                if (Marshal.GetLastPInvokeError() == Errno.EINTR)
                    continue;
                throw new IOException("the terminal is closed");
            }
            data = data[(int)n..];
        }
    }

    public void CloseSlave()
    {
        if (SlaveFd >= 0)
            Native.Close(SlaveFd);
        SlaveFd = -1;
    }

    public void Dispose()
    {
        CloseSlave();
        if (MasterFd >= 0)
            Native.Close(MasterFd);
        MasterFd = -1;
    }
}
