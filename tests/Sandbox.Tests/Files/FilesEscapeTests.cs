using System.Text;
using Grpc.Core;
using Sandboxd.Api.V1;
using Sandboxd.Tests.Daemon;
using Sandboxd.Tests.Support;
using Xunit;
using FilesClient = Sandboxd.Api.V1.Files.FilesClient;

namespace Sandboxd.Tests.Files;

/// <summary>Every path of the file API is resolved inside the sandbox's root: each way out is
/// refused or lands inside. A host file beside the sandbox (/tmp/MARK on the host; the sandbox
/// has a /tmp of its own) is the target each escape tries to read or overwrite.</summary>
public sealed class FilesEscapeTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>, IDisposable
{
    private readonly string _mark = "/tmp/sbx-files-mark-" + Guid.NewGuid().ToString("N");
    private const string Secret = "host secret";

    private DaemonProcess Daemon => fixture.Daemon;

    private FilesClient Files => new(Daemon.Client.Connection.Channel);

    public void Dispose()
    {
        File.Delete(_mark);
        File.Delete(_mark + "-new");
    }

    private async Task<string> SandboxAsync()
    {
        File.WriteAllText(_mark, Secret);
        return (await Daemon.Client.CreateAsync(new CreateRequest())).Id;
    }

    private async Task Sh(string id, string script, string user = "")
    {
        var run = await Daemon.Client.RunAsync(id, ["/bin/sh", "-c", script], user: user);
        Assert.True(run.Exit.ExitCode == 0, run.Stdout + run.Stderr);
    }

    private void AssertHostUntouched()
    {
        Assert.Equal(Secret, File.ReadAllText(_mark));
        Assert.False(File.Exists(_mark + "-new"));
    }

    [RootFact]
    public async Task Dotdot_chains_and_absolute_symlinks_stay_inside()
    {
        var id = await SandboxAsync();
        try
        {
            var dots = string.Concat(Enumerable.Repeat("../", 20));
            var read = await FilesClientExtensions.RefusedAsync(() => Files.ReadAsync(id, "/home/user/" + dots + _mark));
            Assert.Equal(StatusCode.NotFound, read.StatusCode);
            Assert.Contains(_mark, read.Status.Detail, StringComparison.Ordinal);
            // Written through ../ it is the sandbox's /tmp that gets it.
            await Files.WriteAsync(id, dots + _mark + "-new", "inside"u8.ToArray());
            Assert.Equal("inside", Encoding.UTF8.GetString(await Files.ReadAsync(id, _mark + "-new")));

            await Sh(id, $"ln -s {_mark} /home/user/abs && ln -s / /home/user/up");
            Assert.Equal(StatusCode.NotFound, (await FilesClientExtensions.RefusedAsync(() => Files.ReadAsync(id, "/home/user/abs"))).StatusCode);
            Assert.Equal(StatusCode.NotFound,
                (await FilesClientExtensions.RefusedAsync(() => Files.ReadAsync(id, "/home/user/up/home/user/up" + _mark))).StatusCode);
            // The last component is never followed when written.
            var write = await FilesClientExtensions.RefusedAsync(() => Files.WriteAsync(id, "/home/user/abs", "x"u8.ToArray()));
            Assert.Equal(StatusCode.FailedPrecondition, write.StatusCode);
            Assert.Contains("symlink", write.Status.Detail, StringComparison.Ordinal);
            AssertHostUntouched();
        }
        finally
        {
            await Daemon.Client.DestroyAsync(id);
        }
    }

    [RootFact]
    public async Task A_symlink_in_a_parent_directory_resolves_inside()
    {
        var id = await SandboxAsync();
        try
        {
            await Sh(id, "ln -s /tmp /home/user/linkdir");
            var name = Path.GetFileName(_mark) + "-new";
            await Files.WriteAsync(id, "/home/user/linkdir/" + name, "via parent"u8.ToArray());
            await Sh(id, $"test \"$(cat /tmp/{name})\" = 'via parent'");
            await Files.MakeDirAsync(new MakeDirRequest { SandboxId = id, Path = "/home/user/linkdir/a/b", Parents = true });
            Assert.False(Directory.Exists("/tmp/a/b") && File.GetLastWriteTimeUtc("/tmp/a") > DateTime.UtcNow.AddMinutes(-1));
            var moved = await Files.MoveAsync(new MoveRequest { SandboxId = id, Source = "/home/user/linkdir/" + name, Destination = "/home/user/linkdir/" + name + "2" });
            Assert.Equal(FileType.Regular, moved.Type);
            Assert.Equal(2ul, (await Files.RemoveAsync(new RemoveRequest { SandboxId = id, Path = "/home/user/linkdir/a", Recursive = true })).Removed);
            AssertHostUntouched();
        }
        finally
        {
            await Daemon.Client.DestroyAsync(id);
        }
    }

    [RootFact]
    public async Task Proc_magic_links_are_refused()
    {
        var id = await SandboxAsync();
        try
        {
            foreach (var path in new[] { "/proc/self/root" + _mark, "/proc/1/root" + _mark, "/proc/1/cwd/../../.." + _mark })
            {
                var read = await FilesClientExtensions.RefusedAsync(() => Files.ReadAsync(id, path));
                Assert.True(read.StatusCode is StatusCode.FailedPrecondition or StatusCode.NotFound, $"{path}: {read.Status}");
                var write = await FilesClientExtensions.RefusedAsync(() => Files.WriteAsync(id, path + "-new", "x"u8.ToArray()));
                Assert.True(write.StatusCode is StatusCode.FailedPrecondition or StatusCode.NotFound, $"{path}: {write.Status}");
            }
            AssertHostUntouched();
        }
        finally
        {
            await Daemon.Client.DestroyAsync(id);
        }
    }

    /// <summary>A loop inside swaps /home/user/race between a real directory and a symlink to
    /// "/" as fast as it can while the API writes through it: every write lands inside.</summary>
    [RootFact]
    public async Task A_symlink_swapped_in_by_a_racing_loop_still_resolves_inside()
    {
        var id = await SandboxAsync();
        try
        {
            await Sh(id, "mkdir -p /home/user/real/tmp");
            using var stop = new CancellationTokenSource();
            var racer = Daemon.Client.RunAsync(id, ["/bin/sh", "-c",
                "cd /home/user; i=0; while [ $i -lt 200000 ]; do ln -sfn / race; rm -f race; ln -sfn real race; i=$((i+1)); done"],
                deadline: TimeSpan.FromMinutes(5));
            int written = 0;
            for (int i = 0; i < 300; i++)
            {
                try
                {
                    await Files.WriteAsync(id, "/home/user/race" + _mark, "raced"u8.ToArray());
                    written++;
                }
                catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.FailedPrecondition)
                {
                    // The link was missing at that moment.
                }
                Assert.Equal(Secret, File.ReadAllText(_mark));
            }
            await Daemon.Client.DestroyAsync(id);
            await Assert.ThrowsAnyAsync<Exception>(() => racer);
            Assert.True(written > 0);
            AssertHostUntouched();
        }
        finally
        {
            await Daemon.Client.DestroyAsync(id);
        }
    }

    [RootFact]
    public async Task A_fifo_or_a_device_where_a_file_is_expected_is_refused_without_a_hang()
    {
        var id = await SandboxAsync();
        try
        {
            await Sh(id, "mkfifo /home/user/fifo");
            foreach (var path in new[] { "/home/user/fifo", "/dev/zero", "/dev/null" })
            {
                var read = await FilesClientExtensions.RefusedAsync(() => Files.ReadAsync(id, path));
                Assert.Equal(StatusCode.FailedPrecondition, read.StatusCode);
                Assert.Contains("not a regular file", read.Status.Detail, StringComparison.Ordinal);
                var write = await FilesClientExtensions.RefusedAsync(() => Files.WriteAsync(id, path, "x"u8.ToArray()));
                Assert.Equal(StatusCode.FailedPrecondition, write.StatusCode);
            }
        }
        finally
        {
            await Daemon.Client.DestroyAsync(id);
        }
    }
}
