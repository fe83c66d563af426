using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Sandboxd.Api.V1;
using Sandboxd.Tests.Daemon;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Files;

/// <summary>`sandboxctl cp` and `sandboxctl fs …` through the binary, against a real daemon:
/// files and directories both ways (bytes, modes and owner as seen inside), each fs verb, and
/// watch printing events until interrupted.</summary>
public sealed class SandboxctlFilesTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sbx-cp-").FullName;

    private DaemonProcess Daemon => fixture.Daemon;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Task<Sandboxctl.Result> Ctl(params string[] args) => Sandboxctl.RunAsync(Daemon.Socket, null, args);

    private async Task<string> Sh(string id, string script)
    {
        var run = await Daemon.Client.RunAsync(id, ["/bin/sh", "-c", script]);
        Assert.True(run.Exit.ExitCode == 0, run.Stdout + run.Stderr);
        return run.Stdout;
    }

    private static void AssertOk(Sandboxctl.Result r) => Assert.True(r.Code == 0, $"exit {r.Code}: {r.Stdout}{r.Stderr}");

    [RootFact]
    public async Task Cp_copies_files_and_directories_in_and_out()
    {
        // A local tree: a text file, a 3 MiB file (several chunks), an empty dir, an executable.
        var src = Directory.CreateDirectory(Path.Combine(_dir, "src")).FullName;
        File.WriteAllText(Path.Combine(src, "a.txt"), "alpha");
        var big = RandomNumberGenerator.GetBytes(3 << 20);
        Directory.CreateDirectory(Path.Combine(src, "sub"));
        File.WriteAllBytes(Path.Combine(src, "sub", "b.bin"), big);
        Directory.CreateDirectory(Path.Combine(src, "empty"));
        File.WriteAllText(Path.Combine(src, "run.sh"), "#!/bin/sh\necho ran\n");
        File.SetUnixFileMode(Path.Combine(src, "run.sh"), (UnixFileMode)0x1ED);
        var one = Path.Combine(_dir, "one.txt");
        File.WriteAllText(one, "single");
        var id = (await Daemon.Client.CreateAsync(new CreateRequest())).Id;
        try
        {
            AssertOk(await Ctl("cp", src, $"{id}:/home/user/"));
            AssertOk(await Ctl("cp", one, $"{id}:/home/user/renamed.txt"));
            var inside = await Sh(id, "cd /home/user; cat src/a.txt; echo; sha256sum < src/sub/b.bin | cut -c1-64; test -d src/empty && echo empty-dir; "
                + "src/run.sh; stat -c %U src/sub/b.bin renamed.txt; cat renamed.txt");
            Assert.Equal($"alpha\n{Convert.ToHexStringLower(SHA256.HashData(big))}\nempty-dir\nran\nuser\nuser\nsingle", inside);

            // Out again, beside a symlink made inside: links are not copied out, and it says so.
            await Sh(id, "ln -s /etc/passwd /home/user/src/link");
            var back = Directory.CreateDirectory(Path.Combine(_dir, "back")).FullName;
            var dirOut = await Ctl("cp", $"{id}:/home/user/src", back);
            AssertOk(dirOut);
            Assert.Contains("/home/user/src/link: not a regular file or directory, skipped", dirOut.Stderr, StringComparison.Ordinal);
            Assert.Equal("alpha", File.ReadAllText(Path.Combine(back, "src", "a.txt")));
            Assert.Equal(big, File.ReadAllBytes(Path.Combine(back, "src", "sub", "b.bin")));
            Assert.True(Directory.Exists(Path.Combine(back, "src", "empty")));
            Assert.False(Path.Exists(Path.Combine(back, "src", "link")));
            AssertOk(await Ctl("cp", $"{id}:/home/user/renamed.txt", Path.Combine(_dir, "got.txt")));
            Assert.Equal("single", File.ReadAllText(Path.Combine(_dir, "got.txt")));

            var missing = await Ctl("cp", $"{id}:/home/user/nope", Path.Combine(_dir, "x"));
            Assert.Equal(1, missing.Code);
            Assert.Contains("/home/user/nope", missing.Stderr, StringComparison.Ordinal);
            var neither = await Ctl("cp", one, Path.Combine(_dir, "y"));
            Assert.Equal(2, neither.Code);
            Assert.Contains("ID:PATH", neither.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await Daemon.Client.DestroyAsync(id);
        }
    }

    [RootFact]
    public async Task Fs_ls_cat_mkdir_mv_rm_act_inside_the_sandbox()
    {
        var id = (await Daemon.Client.CreateAsync(new CreateRequest())).Id;
        try
        {
            await Sh(id, "mkdir -p /home/user/t/d && printf hello > /home/user/t/f.txt && printf x > /home/user/t/d/g && ln -s /etc /home/user/t/l");
            var ls = await Ctl("fs", "ls", id, "/home/user/t");
            AssertOk(ls);
            var lines = ls.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains(lines, l => l.StartsWith("-0644", StringComparison.Ordinal) && l.EndsWith(" 5 f.txt", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith('d') && l.EndsWith(" d", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith('l') && l.EndsWith("l -> /etc", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, l => l.EndsWith("d/g", StringComparison.Ordinal));
            var deep = await Ctl("fs", "ls", "--json", "--depth", "2", id, "/home/user/t");
            AssertOk(deep);
            var paths = JsonDocument.Parse(deep.Stdout).RootElement.GetProperty("entries").EnumerateArray()
                .Select(e => e.GetProperty("path").GetString()).ToList();
            Assert.Contains("d/g", paths);

            var cat = await Ctl("fs", "cat", id, "/home/user/t/f.txt");
            Assert.Equal((0, "hello"), (cat.Code, cat.Stdout));

            AssertOk(await Ctl("fs", "mkdir", "-p", id, "/home/user/t/x/y/z"));
            var exists = await Ctl("fs", "mkdir", id, "/home/user/t/x");
            Assert.Equal(1, exists.Code);
            Assert.Contains("/home/user/t/x", exists.Stderr, StringComparison.Ordinal);
            AssertOk(await Ctl("fs", "mv", id, "/home/user/t/f.txt", "/home/user/t/x/moved.txt"));
            var noClobber = await Ctl("fs", "mv", id, "/home/user/t/d/g", "/home/user/t/x/moved.txt");
            Assert.Equal(1, noClobber.Code);
            AssertOk(await Ctl("fs", "mv", "-f", id, "/home/user/t/d/g", "/home/user/t/x/moved.txt"));
            Assert.Equal("x|missing|dir|user", await Sh(id,
                "cd /home/user/t; printf \"%s|\" \"$(cat x/moved.txt)\"; test -e f.txt || printf 'missing|'; test -d x/y/z && printf 'dir|'; stat -c %U x/y/z | tr -d '\\n'"));

            var notEmpty = await Ctl("fs", "rm", id, "/home/user/t/x");
            Assert.Equal(1, notEmpty.Code);
            Assert.Contains("/home/user/t/x", notEmpty.Stderr, StringComparison.Ordinal);
            AssertOk(await Ctl("fs", "rm", id, "/home/user/t/l"));
            AssertOk(await Ctl("fs", "rm", "-r", id, "/home/user/t/x"));
            Assert.Equal("d\n", await Sh(id, "ls /home/user/t; test -d /etc"));
        }
        finally
        {
            await Daemon.Client.DestroyAsync(id);
        }
    }

    [RootFact]
    public async Task Fs_watch_prints_events_until_interrupted()
    {
        var id = (await Daemon.Client.CreateAsync(new CreateRequest())).Id;
        try
        {
            await Sh(id, "mkdir -p /home/user/w");
            var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "sandboxctl")) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "--socket", Daemon.Socket, "fs", "watch", id, "/home/user/w" })
                start.ArgumentList.Add(a);
            using var watch = Process.Start(start)!;
            var stderr = watch.StandardError.ReadToEndAsync();
            var seen = new List<string>();
            async Task<string> NextLine()
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
                var line = await watch.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new Xunit.Sdk.XunitException($"watch ended; saw {string.Join(" | ", seen)}; stderr {await stderr}");
                seen.Add(line);
                return line;
            }
            // The watch is in place once a probe file made after it shows up.
            var probing = Task.Run(async () =>
            {
                for (int i = 0; i < 600 && seen.Count == 0; i++)
                {
                    await Sh(id, $"touch /home/user/w/probe{i}");
                    await Task.Delay(100);
                }
            });
            // (a probe touched before the watch was in place may show as a modify of its own)
            while (!(await NextLine()).StartsWith("create /home/user/w/probe", StringComparison.Ordinal))
            {
            }
            await probing;
            await Sh(id, "cd /home/user/w; rm -f probe*; mkdir sub; printf a > f; mv f g; rm g");
            var expected = new[] { "create /home/user/w/sub/", "create /home/user/w/f", "modify /home/user/w/f",
                "move /home/user/w/f -> /home/user/w/g", "delete /home/user/w/g" };
            foreach (var e in expected)
                while (await NextLine() != e)
                {
                }
            Posix.Kill(watch.Id, Posix.SIGINT);
            using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1)))
                await watch.WaitForExitAsync(timeout.Token);
            // Interrupted, as a shell reports ^C: 128 + SIGINT, nothing on stderr.
            Assert.True(watch.ExitCode == 130, $"exit {watch.ExitCode}: {await stderr}");
            Assert.Equal("", await stderr);
            Assert.Contains(seen, l => l.StartsWith("delete /home/user/w/probe", StringComparison.Ordinal));
        }
        finally
        {
            await Daemon.Client.DestroyAsync(id);
        }
    }
}
