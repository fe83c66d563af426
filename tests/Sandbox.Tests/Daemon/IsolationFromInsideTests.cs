using Sandboxd.Api.V1;
using Sandboxd.Tests.Cgroups;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Daemon;

/// <summary>What a process inside a sandbox can see, reported by the static probe run inside it.</summary>
public sealed class IsolationFromInsideTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private DaemonProcess Daemon => fixture.Daemon;

    [RootFact]
    public async Task The_probe_sees_only_its_own_sandbox()
    {
        var sandbox = await Daemon.Client.CreateAsync(new CreateRequest());
        // The image has an empty /root of its own; the host's /root must not show through it.
        var rootMarker = "/root/.sbx-test-" + Guid.NewGuid().ToString("N");
        File.WriteAllText(rootMarker, "host secret");
        string[] hostPaths = [RepoPaths.Root, rootMarker, Daemon.Root.StateDir, Daemon.Root.RuntimeDir, "/work"];
        try
        {
            var report = await Daemon.Client.ProbeAsync(sandbox.Id, hostPaths);

            // Its own pid namespace: PID 1 is the sandbox init, and only a handful of pids exist.
            Assert.Equal("sbx-init", report["pid1"].Trim());
            Assert.True(int.Parse(report["pids"]) <= 3, $"pids visible: {report["pids"]}");
            Assert.True(int.Parse(report["pid"]) < 10, $"probe pid {report["pid"]}");
            Assert.Equal(sandbox.Hostname, report["hostname"]);
            Assert.Equal("lo", report["netifs"]);

            // "absent" is ENOENT. The sandbox's own /root is 0700, so to uid 10001 the marker is
            // "unreadable" whether or not it leaked: only root inside can tell, so it looks too.
            foreach (var hostPath in hostPaths)
            {
                var expected = hostPath == rootMarker ? "unreadable" : "absent";
                Assert.True(report["path:" + hostPath] == expected, $"{hostPath} to the sandbox user: {report["path:" + hostPath]}");
            }
            var asRoot = await Daemon.Client.ProbeAsAsync(sandbox.Id, "root", hostPaths);
            Assert.Equal("0", asRoot["uid"]);
            foreach (var hostPath in hostPaths)
                Assert.True(asRoot["path:" + hostPath] == "absent", $"{hostPath} to root inside: {asRoot["path:" + hostPath]}");

            // PWD is exported by the /bin/sh that copies the probe in; nothing of the daemon's is there.
            Assert.Equal("HOME,LANG,PATH,PWD", string.Join(',', report["env"].Split(',').Order(StringComparer.Ordinal)));
            Assert.Equal("0,1,2", report["fds"]);
            Assert.Equal("10001", report["uid"]);
            Assert.Equal("0000000000000000", report["CapEff"]);
            Assert.Equal("0000000000000000", report["CapPrm"]);
            Assert.Equal("0000000000000000", report["CapBnd"]);
            Assert.Equal("0000000000000000", report["CapAmb"]);
            Assert.Equal("1", report["NoNewPrivs"]);

            // User namespace: the sandbox's root (its init) is an unprivileged uid on the host.
            var hostUid = File.ReadAllLines($"/proc/{sandbox.InitPid}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal))
                .Split('\t', StringSplitOptions.RemoveEmptyEntries)[1];
            Assert.True(long.Parse(hostUid, System.Globalization.CultureInfo.InvariantCulture) >= 1 << 20, $"init runs as host uid {hostUid}");
        }
        finally
        {
            File.Delete(rootMarker);
            await Daemon.Client.DestroyAsync(sandbox.Id);
        }
    }

    [RootFact]
    public async Task Only_the_requested_environment_reaches_the_command()
    {
        var sandbox = await Daemon.Client.CreateAsync(new CreateRequest());
        try
        {
            var output = await Daemon.Client.RunAsync(sandbox.Id, ["/usr/bin/env"], env: new Dictionary<string, string> { ["GREETING"] = "hi" });
            var names = output.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=')[0]).Order(StringComparer.Ordinal);
            Assert.Equal(["GREETING", "HOME", "LANG", "PATH"], names);
            Assert.Contains("GREETING=hi", output.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            await Daemon.Client.DestroyAsync(sandbox.Id);
        }
    }

    [RootFact]
    public async Task Files_written_inside_stay_inside_and_the_host_usr_is_read_only()
    {
        var sandbox = await Daemon.Client.CreateAsync(new CreateRequest());
        var marker = "sbx-marker-" + Guid.NewGuid().ToString("N");
        try
        {
            var write = await Daemon.Client.RunAsync(sandbox.Id, ["/bin/sh", "-c",
                $"echo x > $HOME/{marker} && echo x > /tmp/{marker} && cat $HOME/{marker}; echo x > /usr/{marker} || echo usr-denied"]);
            Assert.Equal("x\nusr-denied\n", write.Stdout);
            Assert.False(File.Exists($"/home/user/{marker}"));
            Assert.False(File.Exists($"/tmp/{marker}"));
            Assert.False(File.Exists($"/usr/{marker}"));
            // The writable layer is a tmpfs inside the sandbox's mount namespace: not even the
            // daemon's own state dir holds the file.
            Assert.Empty(Directory.EnumerateFiles(Daemon.Root.Path, marker, SearchOption.AllDirectories));
            var seen = await Daemon.Client.RunAsync(sandbox.Id, ["/bin/cat", $"/home/user/{marker}"]);
            Assert.Equal("x\n", seen.Stdout);
        }
        finally
        {
            await Daemon.Client.DestroyAsync(sandbox.Id);
        }
    }

    [RootFact]
    public async Task Destroy_leaves_no_mount_process_or_directory()
    {
        var sandbox = await Daemon.Client.CreateAsync(new CreateRequest());
        // A background process that would outlive its command if destroy missed it.
        await Daemon.Client.RunAsync(sandbox.Id, ["/bin/sh", "-c", "sleep 1000 >/dev/null 2>&1 &"]);
        Assert.True(Posix.ProcessExists(sandbox.InitPid));
        var cgroupDirs = TestCgroups.DaemonDirsOf(sandbox.Id);
        Assert.NotEmpty(cgroupDirs);
        Assert.All(cgroupDirs, dir => Assert.True(Directory.Exists(dir), $"{dir} is not the sandbox's group"));

        var destroyed = await Daemon.Client.DestroyAsync(sandbox.Id);
        Assert.True(destroyed.Existed);
        Assert.False((await Daemon.Client.DestroyAsync(sandbox.Id)).Existed);

        Assert.False(Posix.ProcessExists(sandbox.InitPid));
        Assert.DoesNotContain(sandbox.Id, File.ReadAllText("/proc/self/mountinfo"), StringComparison.Ordinal);
        Assert.DoesNotContain(Daemon.Root.Path, File.ReadAllText("/proc/self/mountinfo"), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Daemon.Root.RuntimeDir, "scratch")));
        Assert.All(cgroupDirs, dir => Assert.False(Directory.Exists(dir), $"{dir} is left"));
        Assert.Empty(HostProcessesIn(sandbox.Id));
        Assert.Equal(SandboxState.Destroyed, (await Daemon.Client.GetAsync(sandbox.Id)).State);
    }

    /// <summary>Host processes whose root is inside the sandbox's mount point.</summary>
    private static List<int> HostProcessesIn(string sandboxId)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
                continue;
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "mountinfo")).Contains(sandboxId, StringComparison.Ordinal))
                    found.Add(pid);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return found;
    }
}
