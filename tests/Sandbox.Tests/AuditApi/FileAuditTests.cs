using Sandboxd.Api.Client;
using Sandboxd.Api.V1;
using Sandboxd.Tests.Daemon;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.AuditApi;

/// <summary>What each execution created, changed and deleted in its sandbox's root reaches the
/// audit record, attributed to that execution; a hostile tree neither escapes the walk nor
/// floods the record. (Image files cannot be changed in the daemon's user-namespace sandboxes:
/// copy-up and whiteouts of image files are proven in LayerDiffOverlayTests.)</summary>
public sealed class FileAuditTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private const int FileCreated = 40, FileModified = 41, FileDeleted = 42, FileEventsOmitted = 43;

    [RootFact]
    public async Task Each_execution_records_the_files_it_created_modified_and_deleted()
    {
        var daemon = fixture.Daemon;
        using var audit = AuditApiClients.Audit(daemon);
        await daemon.WithSandboxAsync(async sandboxId =>
        {
            // /tmp is a tmpfs of its own, outside the writable layer: not recorded.
            var first = await RunAsync(daemon, sandboxId, "mkdir -p $HOME/proj/src && printf 'int x;\\n' > $HOME/proj/src/a.c"
                + " && echo notes > $HOME/notes && ln -s /etc/shadow $HOME/shadow && echo scratch > /tmp/scratch");
            Assert.Equal(
            [
                "FileCreated /home/user/notes file 6",
                "FileCreated /home/user/proj dir",
                "FileCreated /home/user/proj/src dir",
                "FileCreated /home/user/proj/src/a.c file 7",
                "FileCreated /home/user/shadow symlink 11",
            ], await WaitForFileEventsAsync(audit, first, 5));

            var second = await RunAsync(daemon, sandboxId, "echo more >> $HOME/notes && rm $HOME/proj/src/a.c");
            Assert.Equal(
            [
                "FileDeleted /home/user/proj/src/a.c file 7",
                "FileModified /home/user/notes file 11",
            ], await WaitForFileEventsAsync(audit, second, 2));

            var idle = await RunAsync(daemon, sandboxId, "cat $HOME/notes > /dev/null && echo again > /tmp/scratch");
            // The next execution starts only after the previous one's walk has been recorded.
            var marker = await RunAsync(daemon, sandboxId, "touch $HOME/marker");
            Assert.Equal(["FileCreated /home/user/marker file 0"], await WaitForFileEventsAsync(audit, marker, 1));
            Assert.Empty(await FileEventsAsync(audit, idle));
        });
    }

    [RootFact]
    public async Task A_hostile_tree_is_walked_within_its_limits_and_never_followed_out()
    {
        var daemon = fixture.Daemon;
        using var audit = AuditApiClients.Audit(daemon);
        await daemon.WithSandboxAsync(async sandboxId =>
        {
            var hostile = await RunAsync(daemon, sandboxId, "cd $HOME && ln -s /etc/shadow a-shadow && ln -s / a-hostroot"
                + " && d=deep; for i in $(seq 60); do d=$d/d; done; mkdir -p $d && echo x > $d/bottom"
                + " && mkdir many && cd many && seq 10000 | xargs touch");

            var summary = await WaitForAsync(audit, hostile, FileEventsOmitted);
            var events = await AllAsync(audit, hostile, FileCreated, FileModified, FileDeleted);
            Assert.Equal(1000, events.Count);
            Assert.True(int.Parse(summary.Attributes["omitted"]) > 9000, summary.ToString());
            Assert.Equal(summary.Attributes["omitted"], summary.Attributes["omitted_created"]);
            Assert.Equal("depth limit", summary.Attributes["walk"]);
            // Links are recorded as links (lstat: the size is the target's length), never entered.
            Assert.Contains("FileCreated /home/user/a-shadow symlink 11", events.Select(Describe));
            Assert.Contains("FileCreated /home/user/a-hostroot symlink 1", events.Select(Describe));
            Assert.DoesNotContain(events, e => e.Attributes["path"].StartsWith("/home/user/a-hostroot/", StringComparison.Ordinal));
            Assert.True(events.Max(e => e.Attributes["path"].Count(c => c == '/')) <= 32);

            // The sandbox and its audit go on: a later change is still seen.
            var after = await RunAsync(daemon, sandboxId, "rm $HOME/a-shadow");
            Assert.Equal(["FileDeleted /home/user/a-shadow symlink 11"], await WaitForFileEventsAsync(audit, after, 1));
        });
    }

    [RootFact]
    public async Task A_command_started_while_the_previous_walk_runs_has_its_own_changes()
    {
        var daemon = fixture.Daemon;
        using var audit = AuditApiClients.Audit(daemon);
        await daemon.WithSandboxAsync(async sandboxId =>
        {
            // The exit comes back before the walk of 12,000 entries has read the layer; the next
            // command is sent at once, and its writes must not be seen by that walk.
            await RunAsync(daemon, sandboxId, "mkdir $HOME/many && cd $HOME/many && seq 12000 | xargs touch");
            var append = await RunAsync(daemon, sandboxId, "cd $HOME/many && for f in 1 3000 6000 9000 12000; do echo x >> $f; done");
            Assert.Equal(
            [
                "FileModified /home/user/many/1 file 2",
                "FileModified /home/user/many/12000 file 2",
                "FileModified /home/user/many/3000 file 2",
                "FileModified /home/user/many/6000 file 2",
                "FileModified /home/user/many/9000 file 2",
            ], await WaitForFileEventsAsync(audit, append, 5));
        });
    }

    /// <summary>A layer nothing changed is not walked again (LayerChangeWatch): each way of changing
    /// a file that is not a plain write must still be noticed, or its execution's walk is skipped.</summary>
    [RootFact]
    public async Task Changes_without_a_write_call_are_still_seen_after_executions_that_changed_nothing()
    {
        var daemon = fixture.Daemon;
        using var audit = AuditApiClients.Audit(daemon);
        await daemon.WithSandboxAsync(async sandboxId =>
        {
            await RunAsync(daemon, sandboxId, "cd $HOME && printf 0123456789 > mapped && echo a > moved && echo b > mode && echo c > cut");
            var steps = new (string Script, string Expected)[]
            {
                // Written through a shared mapping: no write(2); the last close after it tells.
                ("python3 -c \"import mmap,os; f=os.open(os.environ['HOME']+'/mapped', os.O_RDWR); m=mmap.mmap(f, 10); os.close(f); m[0:1]=b'X'; m.close()\"",
                    "FileModified /home/user/mapped file 10"),
                ("chmod 600 $HOME/mode", "FileModified /home/user/mode file 2"),
                ("truncate -s 0 $HOME/cut", "FileModified /home/user/cut file 0"),
                ("mv $HOME/moved $HOME/renamed", "FileCreated /home/user/renamed file 2"),
            };
            foreach (var (script, expected) in steps)
            {
                var nothing = await RunAsync(daemon, sandboxId, "cat $HOME/mapped > /dev/null");
                var changed = await RunAsync(daemon, sandboxId, script);
                Assert.Contains(expected, await WaitForFileEventsAsync(audit, changed, 1));
                Assert.Empty(await FileEventsAsync(audit, nothing));
            }
        });
    }

    private static async Task<string> RunAsync(DaemonProcess daemon, string sandboxId, string script)
    {
        var output = await daemon.Client.RunAsync(sandboxId, ["/bin/sh", "-c", script]);
        Assert.True(output.Exit.ExitCode == 0, output.Stderr);
        return output.Exit.ExecutionId;
    }

    private static string Describe(Sandboxd.Api.V1.AuditEvent e) =>
        $"{e.KindName} {e.Attributes["path"]} {e.Attributes["type"]}" + (e.Attributes["type"] == "dir" ? "" : $" {e.Attributes["size"]}");

    /// <summary>The execution's file events, once at least count are in the record, sorted.</summary>
    private static async Task<List<string>> WaitForFileEventsAsync(AuditClient audit, string executionId, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var events = await FileEventsAsync(audit, executionId);
            if (events.Count >= count || DateTime.UtcNow > deadline)
                return events.Select(Describe).Order(StringComparer.Ordinal).ToList();
            await Task.Delay(50);
        }
    }

    private static async Task<Sandboxd.Api.V1.AuditEvent> WaitForAsync(AuditClient audit, string executionId, int kind)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var found = await AllAsync(audit, executionId, kind);
            if (found.Count > 0)
                return found[0];
            Assert.True(DateTime.UtcNow < deadline, $"no event of kind {kind} for {executionId}");
            await Task.Delay(100);
        }
    }

    private static Task<List<Sandboxd.Api.V1.AuditEvent>> FileEventsAsync(AuditClient audit, string executionId) =>
        AllAsync(audit, executionId, FileCreated, FileModified, FileDeleted);

    private static async Task<List<Sandboxd.Api.V1.AuditEvent>> AllAsync(AuditClient audit, string executionId, params int[] kinds)
    {
        var request = new AuditQueryRequest { ExecutionId = executionId, Limit = 10_000 };
        request.Kinds.Add(kinds);
        var events = new List<Sandboxd.Api.V1.AuditEvent>();
        await foreach (var e in audit.QueryAllAsync(request))
            events.Add(e);
        return events;
    }
}
