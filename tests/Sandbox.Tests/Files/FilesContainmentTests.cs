using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Sandboxd.Api.V1;
using Sandboxd.Tests.Daemon;
using Sandboxd.Tests.Support;
using Xunit;
using FilesClient = Sandboxd.Api.V1.Files.FilesClient;

namespace Sandboxd.Tests.Files;

/// <summary>What the file API contains besides paths: hard links to host files (the host's inode
/// is never written), transfers far larger than the daemon's memory bound, and the sandbox's disk
/// budget.</summary>
public sealed class FilesContainmentTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private const long MiB = 1 << 20;

    private DaemonProcess Daemon => fixture.Daemon;

    private FilesClient Files => new(Daemon.Client.Connection.Channel);

    private async Task<string> Sh(string id, string script, string user = "")
    {
        var run = await Daemon.Client.RunAsync(id, ["/bin/sh", "-c", script], user: user);
        Assert.True(run.Exit.ExitCode == 0, run.Stdout + run.Stderr);
        return run.Stdout;
    }

    /// <summary>"Contained" for a hard link: a sandbox reads what its image holds (the host put the
    /// link there, so its bytes are the image's), but every write, move or removal acts on the
    /// sandbox's own layer: overlayfs copies the file up first, and the host's inode, under both
    /// of its names, keeps its bytes.</summary>
    [RootFact]
    public async Task A_hard_link_to_a_host_file_made_beforehand_is_read_as_the_image_and_never_written()
    {
        using var host = new TempRoot();
        var secret = Path.Combine(host.Path, "host-secret");
        File.WriteAllText(secret, "host bytes");
        var image = Directory.CreateDirectory(Path.Combine(host.Path, "image", "data")).Parent!.FullName;
        File.SetUnixFileMode(image, (UnixFileMode)0x1ED);
        Assert.Equal(0, Posix.Link(secret, Path.Combine(image, "data", "linked")));
        Assert.Equal(0, Posix.Link(secret, Path.Combine(image, "data", "linked2")));
        var id = (await Daemon.Client.CreateAsync(new CreateRequest { Image = image })).Id;
        try
        {
            Assert.Equal("host bytes", Encoding.UTF8.GetString(await Files.ReadAsync(id, "/data/linked", user: "root")));
            await Files.WriteAsync(id, "/data/linked", "sandbox bytes"u8.ToArray(), user: "root");
            Assert.Equal("sandbox bytes", Encoding.UTF8.GetString(await Files.ReadAsync(id, "/data/linked", user: "root")));
            // Inside, the names are separate files now: only the one written changed.
            Assert.Equal("host bytes", Encoding.UTF8.GetString(await Files.ReadAsync(id, "/data/linked2", user: "root")));
            await Files.MoveAsync(new MoveRequest { SandboxId = id, Source = "/data/linked2", Destination = "/data/moved", User = "root" });
            await Files.RemoveAsync(new RemoveRequest { SandboxId = id, Path = "/data/moved", User = "root" });
            foreach (var name in new[] { secret, Path.Combine(image, "data", "linked"), Path.Combine(image, "data", "linked2") })
                Assert.Equal("host bytes", File.ReadAllText(name));
        }
        finally
        {
            await Daemon.Client.DestroyAsync(id);
        }

        // A link made inside (root inside may link a file it can write) to a file the host made:
        // the image's /etc/services, a copy of the host's. Written through the new name over the
        // API, the sandbox's copy changes, the host's files do not.
        var services = Path.Combine(Daemon.Root.StateDir, "images", "default", "etc", "services");
        var before = File.ReadAllBytes(services);
        id = (await Daemon.Client.CreateAsync(new CreateRequest())).Id;
        try
        {
            await Sh(id, "ln /etc/services /home/user/services-link", user: "root");
            await Files.WriteAsync(id, "/home/user/services-link", "rewritten\n"u8.ToArray(), user: "root");
            Assert.Equal("rewritten\nrewritten\n", await Sh(id, "cat /etc/services /home/user/services-link"));
            Assert.Equal(before, File.ReadAllBytes(services));
            Assert.Equal(File.ReadAllBytes("/etc/services"), before);
        }
        finally
        {
            await Daemon.Client.DestroyAsync(id);
        }
    }

    private static long StatusKiB(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    /// <summary>Deterministic bytes, made chunk by chunk: the test never holds the file either.</summary>
    private static void Fill(byte[] chunk, int index)
    {
        BitConverter.TryWriteBytes(chunk, index);
        for (int i = 4; i < chunk.Length; i += 4096)
            chunk[i] = (byte)(index * 31 + i);
    }

    /// <summary>1 GiB written (WriteFile, streamed) and read back (ReadFile, streamed) through the
    /// daemon: its peak resident memory (VmHWM) grows by far less than the file.</summary>
    [RootFact]
    public async Task A_one_gib_transfer_both_ways_keeps_the_daemon_memory_flat()
    {
        const int chunkSize = 256 * 1024;
        const int chunks = (int)(1024 * MiB / chunkSize);
        var id = (await Daemon.Client.CreateAsync(new CreateRequest { Resources = new Resources { DiskBytes = 1100 * MiB } })).Id;
        try
        {
            // A small transfer first, so the baseline has the code paths and pools warm.
            await Files.WriteAsync(id, "/home/user/warm", new byte[4 * MiB]);
            await Files.ReadAsync(id, "/home/user/warm");
            long hwmBefore = StatusKiB(Daemon.Pid, "VmHWM"), rssBefore = StatusKiB(Daemon.Pid, "VmRSS");

            var chunk = new byte[chunkSize];
            using var sent = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using (var call = Files.WriteFile(deadline: DateTime.UtcNow.AddMinutes(10)))
            {
                await call.RequestStream.WriteAsync(new WriteFileRequest { Header = new WriteFileHeader { SandboxId = id, Path = "/home/user/big" } });
                for (int i = 0; i < chunks; i++)
                {
                    Fill(chunk, i);
                    sent.AppendData(chunk);
                    await call.RequestStream.WriteAsync(new WriteFileRequest { Data = ByteString.CopyFrom(chunk) });
                }
                await call.RequestStream.CompleteAsync();
                Assert.Equal((ulong)(1024 * MiB), (await call).Size);
            }
            long hwmAfterWrite = StatusKiB(Daemon.Pid, "VmHWM");

            using var received = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long length = 0;
            using (var call = Files.ReadFile(new ReadFileRequest { SandboxId = id, Path = "/home/user/big" }, deadline: DateTime.UtcNow.AddMinutes(10)))
                await foreach (var part in call.ResponseStream.ReadAllAsync())
                {
                    received.AppendData(part.Data.Span);
                    length += part.Data.Length;
                }
            Assert.Equal(1024 * MiB, length);
            Assert.Equal(sent.GetHashAndReset(), received.GetHashAndReset());
            long hwmAfter = StatusKiB(Daemon.Pid, "VmHWM"), rssAfter = StatusKiB(Daemon.Pid, "VmRSS");
            var report = $"VmHWM {hwmBefore} → {hwmAfterWrite} (write) → {hwmAfter} KiB (read); VmRSS {rssBefore} → {rssAfter} KiB";
            Assert.True((hwmAfter - hwmBefore) * 1024 < 128 * MiB, report);
            Assert.True((rssAfter - rssBefore) * 1024 < 128 * MiB, report);
        }
        finally
        {
            await Daemon.Client.DestroyAsync(id);
        }
    }

    /// <summary>A write past the sandbox's disk budget (--disk) fails with RESOURCE_EXHAUSTED
    /// naming the path and the budget, and leaves no partial file when the call created it; the
    /// sandbox's disk full with files made inside, the same (ENOSPC named). An append that fails
    /// leaves the file as it was before the call.</summary>
    [RootFact]
    public async Task A_write_past_the_disk_budget_fails_cleanly()
    {
        var id = (await Daemon.Client.CreateAsync(new CreateRequest { Resources = new Resources { DiskBytes = 8 * MiB } })).Id;
        try
        {
            var over = await FilesClientExtensions.RefusedAsync(() => Files.WriteAsync(id, "/home/user/over", new byte[12 * MiB]));
            Assert.Equal(StatusCode.ResourceExhausted, over.StatusCode);
            Assert.Contains("/home/user/over", over.Status.Detail, StringComparison.Ordinal);
            Assert.Contains((8 * MiB).ToString(CultureInfo.InvariantCulture), over.Status.Detail, StringComparison.Ordinal);
            Assert.Equal(StatusCode.NotFound,
                (await FilesClientExtensions.RefusedAsync(() => Files.StatAsync(new StatRequest { SandboxId = id, Path = "/home/user/over" }).ResponseAsync)).StatusCode);

            // Most of the layer filled from inside: each write is under the budget, the disk is not.
            await Sh(id, "head -c 6M /dev/zero > /home/user/fill");
            await Files.WriteAsync(id, "/home/user/kept", "kept"u8.ToArray());
            var full = await FilesClientExtensions.RefusedAsync(() => Files.WriteAsync(id, "/home/user/full", new byte[4 * MiB]));
            Assert.Equal(StatusCode.ResourceExhausted, full.StatusCode);
            Assert.Contains("ENOSPC", full.Status.Detail, StringComparison.Ordinal);
            Assert.Equal(StatusCode.NotFound,
                (await FilesClientExtensions.RefusedAsync(() => Files.StatAsync(new StatRequest { SandboxId = id, Path = "/home/user/full" }).ResponseAsync)).StatusCode);

            var append = await FilesClientExtensions.RefusedAsync(async () =>
            {
                using var call = Files.WriteFile();
                await call.RequestStream.WriteAsync(new WriteFileRequest { Header = new WriteFileHeader { SandboxId = id, Path = "/home/user/kept", Append = true } });
                try
                {
                    for (int i = 0; i < 4; i++)
                        await call.RequestStream.WriteAsync(new WriteFileRequest { Data = ByteString.CopyFrom(new byte[MiB]) });
                    await call.RequestStream.CompleteAsync();
                }
                catch (RpcException)
                {
                    // Ended by the server mid-stream: the response carries its status.
                }
                await call;
            });
            Assert.Equal(StatusCode.ResourceExhausted, append.StatusCode);
            Assert.Equal("kept", Encoding.UTF8.GetString(await Files.ReadAsync(id, "/home/user/kept")));
            // Space freed, writes work again.
            await Sh(id, "rm /home/user/fill");
            Assert.Equal((ulong)(4 * MiB), (await Files.WriteAsync(id, "/home/user/full", new byte[4 * MiB])).Size);
        }
        finally
        {
            await Daemon.Client.DestroyAsync(id);
        }
    }
}
