using Grpc.Core;
using Sandboxd.Api.V1;
using Sandboxd.Tests.Support;
using Xunit;

namespace Sandboxd.Tests.Daemon;

/// <summary>A sandbox whose init dies under a running command (killed from the host here; an
/// OOM kill or a crash in real life): the command's call ends with ABORTED saying the sandbox is
/// gone — not a setup step's FAILED_PRECONDITION, which would tell the user to fix a request —
/// and the sandbox is recorded as failed, not left "running".</summary>
public sealed class InitDeathTests(DaemonFixture fixture) : IClassFixture<DaemonFixture>
{
    private DaemonProcess Daemon => fixture.Daemon;

    [RootFact]
    public async Task A_command_whose_init_dies_ends_aborted_and_the_sandbox_is_failed()
    {
        var sandbox = await Daemon.Client.CreateAsync(new CreateRequest());
        try
        {
            var request = new ExecuteRequest { SandboxId = sandbox.Id, Argv = { "/bin/sh", "-c", "echo started; exec sleep 60" } };
            var error = await Assert.ThrowsAsync<RpcException>(async () =>
            {
                await foreach (var message in Daemon.Client.ExecuteAsync(request, TimeSpan.FromSeconds(30)))
                    if (message.Stdout.ToStringUtf8() == "started\n")
                        Assert.Equal(0, Posix.Kill(sandbox.InitPid, Posix.SIGKILL)); // the test's own sandbox's init
            });
            Assert.Equal(StatusCode.Aborted, error.StatusCode);
            Assert.Contains("init exited", error.Status.Detail, StringComparison.Ordinal);

            var deadline = DateTime.UtcNow.AddSeconds(20);
            while ((await Daemon.Client.GetAsync(sandbox.Id)).State != SandboxState.Failed && DateTime.UtcNow < deadline)
                await Task.Delay(50);
            Assert.Equal(SandboxState.Failed, (await Daemon.Client.GetAsync(sandbox.Id)).State);
        }
        finally
        {
            await Daemon.Client.DestroyAsync(sandbox.Id);
        }
    }
}
