using Grpc.Core;
using Sandboxd.Api.V1;
using Sandboxd.Tests.Support;
using SharpCompress.Compressors.ZStandard;
using Xunit;

namespace Sandboxd.Tests.Images;

/// <summary>Image import through a real daemon: real tarballs (python3's tarfile; zstd with
/// SharpCompress) of host binaries and their libraries, sandboxes run on them; hostile archives
/// each refused naming the entry, with nothing left in the image store or outside it.</summary>
public sealed class ImageImportTests
{
    [RootFact]
    public async Task A_small_rootfs_imports_in_every_format_and_a_sandbox_runs_on_it()
    {
        using var world = new ImageWorld();
        var tar = world.Archive("rootfs", ".tar");
        var zst = tar + ".zst";
        await using (var output = File.Create(zst))
        await using (var zstd = new CompressionStream(output, 3, 0, false))
        await using (var input = File.OpenRead(tar))
            await input.CopyToAsync(zstd);
        var imported = new Dictionary<string, Image>
        {
            ["tiny"] = await world.ImportFileAsync("tiny", world.Archive("rootfs", ".tar.gz")),
            ["tiny-tar"] = await world.ImportFileAsync("tiny-tar", tar),
            ["tiny-xz"] = await world.ImportFileAsync("tiny-xz", world.Archive("rootfs", ".tar.xz")),
            ["tiny-zst"] = await world.ImportFileAsync("tiny-zst", zst),
        };
        Assert.Single(imported.Values.Select(i => (i.Entries, i.SizeBytes)).Distinct());
        Assert.True(imported["tiny"].SizeBytes > 100_000, imported["tiny"].ToString());
        Assert.Equal(imported.Keys.Order(), (await world.Images.ListAsync(new ListImagesRequest())).Images.Select(i => i.Name));

        foreach (var name in imported.Keys)
        {
            var sandbox = await world.Daemon.Client.CreateAsync(new CreateRequest { Image = name });
            Assert.Equal(name, sandbox.Image);
            var run = await world.Daemon.Client.RunAsync(sandbox.Id, ["/bin/sh", "-c", "cat /etc/marker; /usr/bin/id -u; test -e /usr/bin/python3 || echo no-host-usr"]);
            Assert.True(run.Exit.ExitCode == 0, run.Stderr);
            Assert.Equal("imported\n10001\nno-host-usr\n", run.Stdout);
            // In use: not removable; once destroyed, it goes, leaving only the built-in image.
            var busy = await Assert.ThrowsAsync<RpcException>(() => world.Images.RemoveAsync(new RemoveImageRequest { Name = name }).ResponseAsync);
            Assert.Equal(StatusCode.FailedPrecondition, busy.StatusCode);
            Assert.Contains(sandbox.Id, busy.Status.Detail, StringComparison.Ordinal);
            await world.Daemon.Client.DestroyAsync(sandbox.Id);
            Assert.True((await world.Images.RemoveAsync(new RemoveImageRequest { Name = name })).Existed);
        }
        Assert.Equal(["default"], world.StoreEntries());

        // The default stays the default: the host's /usr, no marker.
        var plain = await world.Daemon.Client.CreateAsync(new CreateRequest());
        var onDefault = await world.Daemon.Client.RunAsync(plain.Id, ["/bin/sh", "-c", "test -e /usr/bin/python3 && test ! -e /etc/marker && echo default"]);
        Assert.Equal("default\n", onDefault.Stdout);
        await world.Daemon.Client.DestroyAsync(plain.Id);

        var unknown = await Assert.ThrowsAsync<RpcException>(() => world.Daemon.Client.CreateAsync(new CreateRequest { Image = "no-such-image" }));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("'no-such-image'", unknown.Status.Detail, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task A_stopped_sandbox_resumes_on_its_image_and_holds_it_against_removal()
    {
        using var world = new ImageWorld();
        await world.ImportFileAsync("kept", world.Archive("rootfs", ".tar.gz"));
        var client = world.Daemon.Client;
        var sandbox = await client.CreateAsync(new CreateRequest { Image = "kept" });
        Assert.Equal(0, (await client.RunAsync(sandbox.Id, ["/bin/sh", "-c", "echo mine > $HOME/left"])).Exit.ExitCode);
        Assert.Equal(SandboxState.Stopped, (await client.StopAsync(sandbox.Id)).State);

        var busy = await Assert.ThrowsAsync<RpcException>(() => world.Images.RemoveAsync(new RemoveImageRequest { Name = "kept" }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, busy.StatusCode);
        Assert.Contains("stopped sandbox " + sandbox.Id, busy.Status.Detail, StringComparison.Ordinal);

        Assert.Equal(SandboxState.Running, (await client.ResumeAsync(sandbox.Id)).State);
        var run = await client.RunAsync(sandbox.Id, ["/bin/sh", "-c", "cat /etc/marker $HOME/left; test -e /usr/bin/python3 || echo no-host-usr"]);
        Assert.True(run.Exit.ExitCode == 0, run.Stderr);
        Assert.Equal("imported\nmine\nno-host-usr\n", run.Stdout);
        await client.DestroyAsync(sandbox.Id);
        Assert.True((await world.Images.RemoveAsync(new RemoveImageRequest { Name = "kept" })).Existed);
    }

    [RootFact]
    public async Task Sandboxctl_imports_lists_uses_and_removes_an_image()
    {
        using var world = new ImageWorld();
        var socket = world.Daemon.Socket;
        var import = await Sandboxctl.RunAsync(socket, null, "image", "import", "cli", world.Archive("rootfs", ".tar.xz"));
        Assert.True(import.Code == 0, import.Stderr);
        Assert.StartsWith("cli\t", import.Stdout, StringComparison.Ordinal);
        Assert.StartsWith("cli\t", (await Sandboxctl.RunAsync(socket, null, "image", "list")).Stdout, StringComparison.Ordinal);
        var again = await Sandboxctl.RunAsync(socket, null, "image", "import", "cli", world.Archive("rootfs", ".tar"));
        Assert.Contains("AlreadyExists: image 'cli'", again.Stderr, StringComparison.Ordinal);
        var id = (await Sandboxctl.RunAsync(socket, null, "create", "--image", "cli")).Stdout.Trim();
        Assert.Equal("imported\n", (await Sandboxctl.RunAsync(socket, null, "exec", id, "--", "/usr/bin/cat", "/etc/marker")).Stdout);
        Assert.Contains("FailedPrecondition: image 'cli' is in use by sandbox " + id, (await Sandboxctl.RunAsync(socket, null, "image", "rm", "cli")).Stderr,
            StringComparison.Ordinal);
        Assert.Equal(0, (await Sandboxctl.RunAsync(socket, null, "destroy", id)).Code);
        Assert.Equal("cli removed\n", (await Sandboxctl.RunAsync(socket, null, "image", "rm", "cli")).Stdout);
        Assert.Equal(["default"], world.StoreEntries());
    }

    [RootFact]
    public async Task Hostile_and_broken_archives_are_refused_naming_the_entry_and_leave_nothing()
    {
        using var world = new ImageWorld("images: { maxBytes: 16M, maxEntries: 500 }");
        var outside = Directory.CreateDirectory(Path.Combine(world.TempPath, "outside")).FullName;
        var rootfs = File.ReadAllBytes(world.Archive("rootfs", ".tar.gz"));
        var plainTar = File.ReadAllBytes(world.Archive("rootfs", ".tar"));
        var cases = new (string What, byte[] Archive, StatusCode Code, string Expected)[]
        {
            ("absolute name", File.ReadAllBytes(world.Archive("absolute")), StatusCode.InvalidArgument, "entry '/evil': an absolute name"),
            ("'..' escape", File.ReadAllBytes(world.Archive("dotdot")), StatusCode.InvalidArgument, "entry 'etc/../../evil': a '..' component"),
            ("symlink, then a file through it", File.ReadAllBytes(world.Archive("symlink", arg: outside)), StatusCode.InvalidArgument,
                "entry 'escape/evil': its parent 'escape' is a symlink"),
            ("device node", File.ReadAllBytes(world.Archive("device", ".tar")), StatusCode.InvalidArgument, "entry 'dev/null': a device node (char 1:3)"),
            ("hard link outside", File.ReadAllBytes(world.Archive("hardlink-out")), StatusCode.InvalidArgument,
                "entry 'passwd': a hard link to '../../../../etc/passwd', outside the image"),
            ("hard link to what is not in the image", File.ReadAllBytes(world.Archive("hardlink-missing")), StatusCode.InvalidArgument,
                "entry 'shadow': a hard link to 'etc/shadow', which is not in the image"),
            ("zip bomb", File.ReadAllBytes(world.Archive("bomb", arg: (64 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture))),
                StatusCode.ResourceExhausted, "entry 'zeros': past the images.maxBytes cap of 16777216 bytes"),
            ("too many entries", File.ReadAllBytes(world.Archive("entries", arg: "600")), StatusCode.ResourceExhausted, "more than 500 entries"),
            ("truncated .tar", plainTar[..(plainTar.Length * 6 / 10)], StatusCode.InvalidArgument, "truncated: the archive ends after"),
            ("truncated .tar.gz", rootfs[..(rootfs.Length * 6 / 10)], StatusCode.InvalidArgument, "entry '"),
            ("not an archive", System.Text.Encoding.ASCII.GetBytes(new string('x', 5000)), StatusCode.InvalidArgument, "archive: "),
        };
        foreach (var (what, archive, code, expected) in cases)
        {
            var e = await Assert.ThrowsAsync<RpcException>(() => world.ImportAsync("hostile", archive));
            Assert.True(e.StatusCode == code && e.Status.Detail.Contains(expected, StringComparison.Ordinal),
                $"{what}: {e.StatusCode} {e.Status.Detail}");
            Assert.Equal(["default"], world.StoreEntries());
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
        Assert.Empty((await world.Images.ListAsync(new ListImagesRequest())).Images);
        // The name is free again: a good archive under it imports.
        Assert.Equal("hostile", (await world.ImportAsync("hostile", rootfs)).Name);
    }

    [RootFact]
    public async Task Setuid_bits_go_unless_the_config_keeps_them_and_links_stay_inside()
    {
        using var world = new ImageWorld();
        var archive = world.Archive("extras");
        var image = await world.ImportFileAsync("extras", archive);
        Assert.Equal(1ul, image.SetuidStripped);
        var rootfs = Path.Combine(world.Store, "extras", "rootfs");
        Assert.Equal((UnixFileMode)0x1ED, File.GetUnixFileMode(Path.Combine(rootfs, "usr/local/bin/suid")));
        Assert.Equal((UnixFileMode)0x5FD /* 2775 */, File.GetUnixFileMode(Path.Combine(rootfs, "var/mail")));
        Assert.Equal(Stat("%i", Path.Combine(rootfs, "usr/bin/true")), Stat("%i", Path.Combine(rootfs, "usr/bin/true2")));
        Assert.Equal("fifo", Stat("%F", Path.Combine(rootfs, "run/initctl")));

        File.AppendAllText(world.ConfigPath, "\nimages: { keepSetuid: true }\n");
        Posix.Kill(world.Daemon.Pid, 1);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (world.Daemon.Log.Split("loaded:").Length < 3 && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        var kept = await world.ImportFileAsync("extras-suid", archive);
        Assert.Equal(0ul, kept.SetuidStripped);
        Assert.Equal((UnixFileMode)0x9ED /* 4755 */, File.GetUnixFileMode(Path.Combine(world.Store, "extras-suid", "rootfs", "usr/local/bin/suid")));
    }

    private static string Stat(string format, string path)
    {
        var start = new System.Diagnostics.ProcessStartInfo("stat") { RedirectStandardOutput = true };
        foreach (var a in new[] { "-c", format, path })
            start.ArgumentList.Add(a);
        using var stat = System.Diagnostics.Process.Start(start)!;
        var text = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return text;
    }
}
