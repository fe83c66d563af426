using System.Text.Json;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Daemon;

/// <summary>The sandboxctl that `make build` publishes is a NativeAOT executable (no managed
/// assembly beside it, no runtime to start) and does what the JIT build does: the paths that
/// trimming could break (protobuf JSON, gRPC over the Unix socket, streaming exec, the host
/// checks' P/Invoke) run through it here.</summary>
public sealed class NativeSandboxctlTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private static readonly byte[] Elf = [0x7F, (byte)'E', (byte)'L', (byte)'F'];

    [RootFact]
    public void Make_build_publishes_a_native_executable_not_an_apphost()
    {
        var binary = Sandboxctl.NativeBinary;
        Assert.True(File.Exists(binary), $"{binary} is missing: `make build` publishes it");
        Assert.Equal(Elf, File.ReadAllBytes(binary)[..4]);
        var dir = Path.GetDirectoryName(binary)!;
        Assert.False(File.Exists(Path.Combine(dir, "sandboxctl.dll")), "a managed sandboxctl.dll beside it: not a NativeAOT build");
        Assert.False(File.Exists(Path.Combine(dir, "sandboxctl.runtimeconfig.json")), "a runtimeconfig beside it: not a NativeAOT build");
    }

    [RootFact]
    public async Task The_native_binary_creates_execs_lists_and_destroys()
    {
        var created = await Native(null, "create", "--json", "--memory", "128M");
        Assert.True(created.Code == 0, created.Stderr);
        var id = JsonDocument.Parse(created.Stdout).RootElement.GetProperty("id").GetString()!;
        try
        {
            var exec = await Native("in\n", "exec", id, "--", "/bin/sh", "-c", "cat; echo out; echo err >&2; exit 3");
            Assert.Equal((3, "in\nout\n", "err\n"), (exec.Code, exec.Stdout, exec.Stderr));
            var list = await Native(null, "list", "--json");
            Assert.Equal(0, list.Code);
            var ids = JsonDocument.Parse(list.Stdout).RootElement.GetProperty("sandboxes").EnumerateArray()
                .Select(s => s.GetProperty("id").GetString());
            Assert.Contains(id, ids);
        }
        finally
        {
            Assert.Equal(0, (await Native(null, "destroy", id)).Code);
        }
        var gone = await Native(null, "exec", id, "--", "/bin/true");
        Assert.Equal(1, gone.Code);
        Assert.Contains("not found", gone.Stderr, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task The_native_binary_runs_the_host_checks()
    {
        var doctor = await Native(null, "doctor", "--json");
        Assert.True(doctor.Code == 0, doctor.Stdout + doctor.Stderr);
        var checks = JsonDocument.Parse(doctor.Stdout).RootElement.EnumerateArray().ToList();
        Assert.Contains(checks, c => c.GetProperty("name").GetString() == "kernel" && c.GetProperty("ok").GetBoolean());
        Assert.All(checks, c => Assert.False(string.IsNullOrEmpty(c.GetProperty("detail").GetString())));
    }

    private Task<Sandboxctl.Result> Native(string? stdin, params string[] args) =>
        Sandboxctl.RunBinaryAsync(Sandboxctl.NativeBinary, fixture.Daemon.Socket, stdin, args);
}
