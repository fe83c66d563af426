using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Sandboxd.Isolation.Interop;
using Sandboxd.Isolation.Launch;

namespace Sandboxd.Isolation.Filesystem;

/// <summary>A sandbox's disk: an ext4 filesystem in a sparse image file of exactly its disk
/// limit, under the state dir. Why an image and not a quota on a directory: the limit then holds
/// on any host filesystem (a project quota needs ext4/xfs mounted with prjquota, which hosts
/// rarely are), writes past it are ENOSPC inside the sandbox's own filesystem, the file can never
/// grow past its size, and it survives a stop, a daemon restart and a reboot as one file that
/// a destroy removes. It is mounted only inside the sandbox's mount namespace (a detached mount
/// the child attaches), never on the host.</summary>
public static unsafe class SandboxDisk
{
    private const string SbinMkfs = "/usr/sbin/mkfs.ext4";

    private static readonly string[] StepNames = ["open the disk image", "attach the disk image to a loop device", "mount the disk's ext4"];

    /// <summary>Makes the image and its filesystem. The filesystem's root belongs to the sandbox's
    /// root (rootId: its host id in a user namespace, else 0), which must make the writable layer in it.</summary>
    public static void Create(SandboxPaths paths, long bytes, uint rootId)
    {
        Directory.CreateDirectory(paths.DisksDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var image = paths.DiskImage;
        try
        {
            using (var file = new FileStream(image, new FileStreamOptions
                   {
                       Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                   }))
                file.SetLength(bytes);
            // No reserved blocks (all of it is the sandbox's), no discard of a sparse file,
            // inode tables and journal initialised lazily: ~30 ms instead of seconds for 1 GiB.
            var owner = rootId.ToString(CultureInfo.InvariantCulture);
            Run(File.Exists(SbinMkfs) ? SbinMkfs : "mkfs.ext4", ["-q", "-F", "-m", "0", "-E", $"lazy_itable_init=1,lazy_journal_init=1,nodiscard,root_owner={owner}:{owner}", image]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(image);
            throw new SandboxSetupException($"create the disk image {image}: {e.Message}", e);
        }
        catch
        {
            File.Delete(image);
            throw;
        }
    }

    public static bool Exists(SandboxPaths paths) => File.Exists(paths.DiskImage);

    /// <summary>A detached mount of the disk for an AttachFd op. Refused while a loop device still
    /// serves the image: a second mount of the same ext4 through another device corrupts it.</summary>
    public static SafeFileHandle Open(SandboxPaths paths)
    {
        var image = paths.DiskImage;
        if (!File.Exists(image))
            throw new SandboxSetupException($"the disk image {image} is missing");
        // The previous life's mount goes with its mount namespace, a moment after its last process.
        for (int i = 0; InUse(image); i++)
        {
            if (i == 200)
                throw new SandboxSetupException($"the disk image {image} is still in use by a loop device");
            Thread.Sleep(25);
        }
        int step;
        int fd = Native.OpenDisk(image, &step);
        if (fd >= 0)
            return new SafeFileHandle(fd, ownsHandle: true);
        int errno = Marshal.GetLastPInvokeError();
        var name = step is >= 114 and <= 116 ? StepNames[step - 114] : $"step {step}";
        throw new SandboxSetupException(name, errno, errno == Errno.ENOENT && step == 115 ? "the kernel has no loop devices (modprobe loop)" : null);
    }

    public static void Delete(SandboxPaths paths) => File.Delete(paths.DiskImage);

    /// <summary>Whether a loop device is backed by this file (/sys/block/loopN/loop/backing_file).</summary>
    public static bool InUse(string image)
    {
        foreach (var dir in Directory.EnumerateDirectories("/sys/block", "loop*"))
        {
            try
            {
                var backing = File.ReadAllText(Path.Combine(dir, "loop", "backing_file")).TrimEnd('\n');
                if (backing == image)
                    return true;
            }
            catch (IOException)
            {
                // Not configured (no loop/ dir) or detached meanwhile.
            }
        }
        return false;
    }

    private static void Run(string file, IReadOnlyList<string> args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info) ?? throw new SandboxSetupException($"{file} did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new SandboxSetupException($"{file}: exit {process.ExitCode}: {(stderr.Result + stdout.Result).Trim()}");
    }
}
