using System.Diagnostics;
using Sandboxd.Api.V1;
using Sandboxd.Governance.Config;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Service;

/// <summary>`make install DESTDIR=…` (never onto this host's own /usr, /etc or systemd): the tree
/// it lays out, a unit naming the installed paths, a default config the daemon accepts, and the
/// installed sandboxd and sandboxctl working together. Installs what `make build` put in out/.</summary>
public sealed class MakeInstallTests
{
    [RootFact]
    public async Task Make_install_lays_out_binaries_config_and_unit_and_the_installed_daemon_starts_with_the_installed_config()
    {
        using var root = new TempRoot();
        var dest = Path.Combine(root.Path, "dest");
        var output = await MakeInstallAsync(dest);

        var bin = Path.Combine(dest, "usr/local/bin");
        var daemon = Path.Combine(bin, "sandboxd");
        var resolved = new FileInfo(daemon).ResolveLinkTarget(returnFinalTarget: true)?.FullName;
        Assert.Equal(Path.Combine(dest, "usr/local/lib/sandboxd/sandboxd"), resolved);
        foreach (var file in new[] { "sandboxd.dll", "sbx-init", "libsbxnative.so" })
            Assert.True(File.Exists(Path.Combine(dest, "usr/local/lib/sandboxd", file)), $"{file} not installed:\n{output}");
        var ctl = Path.Combine(bin, "sandboxctl");
        Assert.True((File.GetUnixFileMode(ctl) & UnixFileMode.UserExecute) != 0);

        var unitPath = Path.Combine(dest, "usr/local/lib/systemd/system/sandboxd.service");
        var unitText = File.ReadAllText(unitPath);
        Assert.DoesNotContain("@", unitText.Split('\n').Where(l => !l.TrimStart().StartsWith('#')).Aggregate("", string.Concat), StringComparison.Ordinal);
        var execStart = UnitFile.Words(new UnitFile(unitText).Service("ExecStart"));
        Assert.Equal("/usr/local/bin/sandboxd", execStart[0]);
        Assert.Equal("/etc/sandboxd/sandboxd.yaml", execStart[Array.IndexOf(execStart, "--config") + 1]);

        // The default config is valid: as a file, and to the installed daemon started with it.
        var config = Path.Combine(dest, "etc/sandboxd/sandboxd.yaml");
        var parsed = SandboxdConfig.LoadFile(config);
        Assert.Equal(["root"], parsed.Principals.Select(p => p.Name));
        using (var installed = new DaemonProcess(new TempRoot(), ownsRoot: true, ["--config", config], binary: daemon))
        {
            Assert.Contains($"config {config} loaded: 1 principals", installed.Log, StringComparison.Ordinal);
            var sandbox = await installed.Client.CreateAsync(new CreateRequest());
            Assert.Equal("installed\n", (await installed.Client.RunAsync(sandbox.Id, ["/bin/echo", "installed"])).Stdout);
            var list = await RunAsync(ctl, ["--socket", installed.Socket, "list"]);
            Assert.Contains(sandbox.Id, list, StringComparison.Ordinal);
            await installed.Client.DestroyAsync(sandbox.Id);
        }

        // A second install keeps a config an admin edited.
        await File.AppendAllTextAsync(config, "# edited\n");
        var again = await MakeInstallAsync(dest);
        Assert.Contains("kept", again, StringComparison.Ordinal);
        Assert.EndsWith("# edited\n", await File.ReadAllTextAsync(config), StringComparison.Ordinal);
    }

    private static Task<string> MakeInstallAsync(string dest) =>
        // Every location spelled out, so nothing can land on this host's own system directories.
        RunAsync("make", ["-C", RepoPaths.Root, "--no-print-directory", "install", $"DESTDIR={dest}", "PREFIX=/usr/local", "SYSCONFDIR=/etc"]);

    private static async Task<string> RunAsync(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var all = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} exited {process.ExitCode}:\n{all}");
        return all;
    }
}
