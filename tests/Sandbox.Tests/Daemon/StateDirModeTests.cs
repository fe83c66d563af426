using Sandboxd.Api.V1;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Daemon;

/// <summary>`sandboxd --state-dir "$(mktemp -d)"`: the dirs the daemon is given are its own, so
/// a fresh 0700 one works for user-namespace sandboxes; a directory above them it leaves alone
/// and refuses, naming it.</summary>
public sealed class StateDirModeTests
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    [RootFact]
    public async Task A_fresh_0700_state_dir_and_runtime_dir_serve_user_namespace_sandboxes()
    {
        using var root = new TempRoot();
        File.SetUnixFileMode(root.StateDir, Private);
        File.SetUnixFileMode(root.RuntimeDir, Private);
        using var daemon = new DaemonProcess(root, ownsRoot: false);

        var sandbox = await daemon.Client.CreateAsync(new CreateRequest());
        try
        {
            var run = await daemon.Client.RunAsync(sandbox.Id, ["/bin/sh", "-c", "cat /proc/self/uid_map; cat /etc/passwd >/dev/null && echo ran"]);
            Assert.EndsWith("ran\n", run.Stdout, StringComparison.Ordinal);
            // A user namespace: not the initial identity map of the host.
            Assert.DoesNotContain("4294967295", run.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            await daemon.Client.DestroyAsync(sandbox.Id);
        }
        // Passable, still not listable by others.
        Assert.Equal(Private | UnixFileMode.OtherExecute, File.GetUnixFileMode(root.StateDir));
    }

    [RootFact]
    public void A_directory_above_the_state_dir_that_others_cannot_search_is_refused_by_name()
    {
        using var root = new TempRoot();
        File.SetUnixFileMode(root.Path, Private);
        var refused = Assert.Throws<InvalidOperationException>(() => new DaemonProcess(root, ownsRoot: false).Dispose());
        Assert.Contains($"{root.Path} is not searchable by others", refused.Message, StringComparison.Ordinal);
        Assert.Equal(Private, File.GetUnixFileMode(root.Path));
    }
}
