using System.Text;
using Grpc.Core;
using Sandboxd.Api.V1;
using Sandboxd.Tests.Daemon;
using Sandboxd.Tests.Support;
using Xunit;
using FilesClient = Sandboxd.Api.V1.Files.FilesClient;

namespace Sandboxd.Tests.Files;

/// <summary>The file API against a real daemon: ownership as seen inside, errors naming the
/// path or field, and Watch.</summary>
public sealed class FilesApiTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private DaemonProcess Daemon => fixture.Daemon;

    private FilesClient Files => new(Daemon.Client.Connection.Channel);

    [RootFact]
    public async Task Created_files_belong_to_the_sandbox_user_or_to_the_user_asked_for()
    {
        var id = (await Daemon.Client.CreateAsync(new CreateRequest())).Id;
        try
        {
            var entry = await Files.WriteAsync(id, "/home/user/new/deep/a.txt", "hello"u8.ToArray(), createParents: true);
            Assert.Equal(5ul, entry.Size);
            Assert.Equal(10001u, entry.Uid);
            await Files.WriteAsync(id, "/tmp/root.txt", "r"u8.ToArray(), user: "root");
            await Files.MakeDirAsync(new MakeDirRequest { SandboxId = id, Path = "/tmp/d1", User = "1234" });
            var run = await Daemon.Client.RunAsync(id, ["/bin/sh", "-c",
                "stat -c %U /home/user/new/deep/a.txt /home/user/new /tmp/root.txt; stat -c %u /tmp/d1; cat /home/user/new/deep/a.txt"]);
            Assert.Equal("user\nuser\nroot\n1234\nhello", run.Stdout);
            // As the sandbox user, root's files are root's: permissions are checked as for that user.
            await Daemon.Client.RunAsync(id, ["/bin/sh", "-c", "echo s > /tmp/secret; chmod 600 /tmp/secret"], user: "root");
            var denied = await FilesClientExtensions.RefusedAsync(() => Files.ReadAsync(id, "/tmp/secret"));
            Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
            Assert.Equal("s\n", Encoding.UTF8.GetString(await Files.ReadAsync(id, "/tmp/secret", user: "root")));
        }
        finally
        {
            await Daemon.Client.DestroyAsync(id);
        }
    }

    [RootFact]
    public async Task Errors_name_the_path_or_the_field()
    {
        var id = (await Daemon.Client.CreateAsync(new CreateRequest())).Id;
        try
        {
            var missing = await FilesClientExtensions.RefusedAsync(() => Files.ReadAsync(id, "/no/such/file"));
            Assert.Equal(StatusCode.NotFound, missing.StatusCode);
            Assert.StartsWith("/no/such/file: ", missing.Status.Detail, StringComparison.Ordinal);
            var dir = await FilesClientExtensions.RefusedAsync(() => Files.ReadAsync(id, "/etc"));
            Assert.Equal(StatusCode.FailedPrecondition, dir.StatusCode);
            Assert.Contains("is a directory", dir.Status.Detail, StringComparison.Ordinal);
            var empty = await FilesClientExtensions.RefusedAsync(() => Files.StatAsync(new StatRequest { SandboxId = id }).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);
            Assert.StartsWith("path:", empty.Status.Detail, StringComparison.Ordinal);
            var user = await FilesClientExtensions.RefusedAsync(() => Files.StatAsync(new StatRequest { SandboxId = id, Path = "/", User = "nobody-here" }).ResponseAsync);
            Assert.StartsWith("user:", user.Status.Detail, StringComparison.Ordinal);
            var gone = await FilesClientExtensions.RefusedAsync(() => Files.StatAsync(new StatRequest { SandboxId = "sbx-000000000000", Path = "/" }).ResponseAsync);
            Assert.Equal(StatusCode.NotFound, gone.StatusCode);
            var notEmpty = await FilesClientExtensions.RefusedAsync(() => Files.RemoveAsync(new RemoveRequest { SandboxId = id, Path = "/home" }).ResponseAsync);
            Assert.NotEqual(StatusCode.Internal, notEmpty.StatusCode);
            var list = await Files.ListDirAsync(new ListDirRequest { SandboxId = id, Path = "/etc", Depth = 2 });
            Assert.Contains(list.Entries, e => e.Path == "passwd" && e.Type == FileType.Regular);
            Assert.Contains(list.Entries, e => e.Path.StartsWith("ssl/", StringComparison.Ordinal));
        }
        finally
        {
            await Daemon.Client.DestroyAsync(id);
        }
    }

    /// <summary>10,000 files made in a burst: every one is seen or counted as dropped.</summary>
    [RootFact]
    public async Task Watch_sees_a_burst_of_ten_thousand_events_or_counts_what_it_dropped()
    {
        var id = (await Daemon.Client.CreateAsync(new CreateRequest())).Id;
        try
        {
            // sub exists before the watch: files made in a new directory before its watch is
            // added are not reported (the recursive watch adds it on its CREATE).
            await Files.MakeDirAsync(new MakeDirRequest { SandboxId = id, Path = "/home/user/w/sub", Parents = true });
            using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            using var watch = Files.Watch(new WatchRequest { SandboxId = id, Path = "/home/user/w", Recursive = true },
                cancellationToken: cancel.Token);
            Assert.True(await watch.ResponseStream.MoveNext(cancel.Token));
            Assert.Equal(WatchEventKind.Ready, watch.ResponseStream.Current.Kind);
            var burst = Daemon.Client.RunAsync(id, ["/bin/sh", "-c",
                "cd /home/user/w/sub; i=0; while [ $i -lt 10000 ]; do : > f$i; i=$((i+1)); done"],
                deadline: TimeSpan.FromMinutes(3));
            long created = 0;
            var seen = new List<string>();
            _ = burst.ContinueWith(_ => cancel.CancelAfter(TimeSpan.FromSeconds(10)), TaskScheduler.Default);
            ulong dropped = 0;
            while (created + (long)dropped < 10_000 && await watch.ResponseStream.MoveNext(cancel.Token))
            {
                var e = watch.ResponseStream.Current;
                dropped = e.Dropped;
                if (seen.Count < 5)
                    seen.Add(e.ToString());
                if (e.Kind == WatchEventKind.Create && e.Path.StartsWith("/home/user/w/sub/f", StringComparison.Ordinal))
                    created++;
            }
            Assert.True(created + (long)dropped >= 10_000, $"{created} received, {dropped} dropped; {string.Join(",", seen)}");
            Assert.Equal(0, (await burst).Exit.ExitCode);
        }
        finally
        {
            await Daemon.Client.DestroyAsync(id);
        }
    }
}
