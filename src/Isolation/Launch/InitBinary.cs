using Sandboxd.Isolation.Interop;

namespace Sandboxd.Isolation.Launch;

/// <summary>A sealed in-memory copy of sbx-init, exec'd by fd: nothing inside a sandbox can
/// reach the file it runs from (CVE-2019-5736), and replacing the file on disk while the daemon
/// runs changes nothing.</summary>
public sealed unsafe class InitBinary : IDisposable
{
    private InitBinary(int fd) => Fd = fd;

    public int Fd { get; private set; }

    public static InitBinary Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException e)
        {
            throw new SandboxSetupException($"sandbox init binary {path}: {e.Message}", e);
        }
        int fd = Native.MemfdCreate("sbx-init", Native.MFD_CLOEXEC | Native.MFD_ALLOW_SEALING);
        if (fd == -1)
            throw new SandboxSetupException("memfd_create", System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
        fixed (byte* p = bytes)
        {
            nint done = 0;
            while (done < bytes.Length)
            {
                nint n = Native.Write(fd, p + done, bytes.Length - done);
                if (n <= 0)
                {
                    int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                    Native.Close(fd);
                    throw new SandboxSetupException("write init memfd", errno);
                }
                done += n;
            }
        }
        Native.Fcntl(fd, Native.F_ADD_SEALS, Native.F_SEAL_SEAL | Native.F_SEAL_SHRINK | Native.F_SEAL_GROW | Native.F_SEAL_WRITE);
        return new InitBinary(fd);
    }

    /// <summary>sbx-init next to the daemon's own assemblies.</summary>
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "sbx-init");

    public void Dispose()
    {
        if (Fd >= 0)
            Native.Close(Fd);
        Fd = -1;
    }
}
