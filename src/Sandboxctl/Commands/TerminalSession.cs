using System.Runtime.InteropServices;
using Google.Protobuf;
using Grpc.Core;
using Sandboxd.Api.Client;
using Sandboxd.Api.V1;

namespace Sandboxd.Ctl.Commands;

/// <summary>`exec -it`: the command on a pty in the sandbox, the local terminal in raw mode,
/// keys and window-size changes (SIGWINCH) sent over one Terminal stream, output written as it
/// comes. Exits with the remote command's code; the local terminal is restored however it ends.</summary>
internal static class TerminalSession
{
    public static async Task<int> RunAsync(ExecutionsClient client, StartExecutionRequest start, CancellationToken cancel)
    {
        var (rows, cols) = LocalTerminal.Size();
        start.Tty = true;
        start.Rows = rows;
        start.Cols = cols;
        if (Environment.GetEnvironmentVariable("TERM") is { Length: > 0 } term && !start.Env.ContainsKey("TERM"))
            start.Env["TERM"] = term;
        using var call = client.Terminal(cancel);
        var send = new SemaphoreSlim(1, 1);
        async Task SendAsync(TerminalRequest m)
        {
            await send.WaitAsync(CancellationToken.None);
            try
            {
                await call.RequestStream.WriteAsync(m, CancellationToken.None);
            }
            finally
            {
                send.Release();
            }
        }
        await SendAsync(new TerminalRequest { Start = start, KillOnDisconnect = true });
        using var local = new LocalTerminal();
        local.EnterRaw();
        using var winch = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, ctx =>
        {
            ctx.Cancel = true;
            var (r, c) = LocalTerminal.Size();
            _ = SendAsync(new TerminalRequest { Resize = new WindowSize { Rows = r, Cols = c } });
        });
        using var stopInput = new CancellationTokenSource();
        var input = PumpInputAsync(SendAsync, stopInput.Token);
        await using var stdout = LocalTerminal.OpenFd(1, FileAccess.Write);
        try
        {
            await foreach (var m in call.ResponseStream.ReadAllAsync(cancel))
            {
                if (m.PayloadCase == TerminalResponse.PayloadOneofCase.Output)
                {
                    await stdout.WriteAsync(m.Output.Memory, cancel);
                    await stdout.FlushAsync(cancel);
                }
                else if (m.PayloadCase == TerminalResponse.PayloadOneofCase.Exit)
                {
                    local.Dispose();
                    return m.Exit.Signal != 0 ? 128 + m.Exit.Signal : m.Exit.ExitCode;
                }
            }
        }
        finally
        {
            local.Dispose();
            stopInput.Cancel();
        }
        await Console.Error.WriteLineAsync("sandboxctl: the terminal stream ended without an exit status");
        return 1;
    }

    private static async Task PumpInputAsync(Func<TerminalRequest, Task> send, CancellationToken stop)
    {
        await Task.Yield();
        var stdin = LocalTerminal.OpenFd(0, FileAccess.Read);
        var buffer = new byte[4096];
        try
        {
            int n;
            while ((n = await stdin.ReadAsync(buffer, stop)) > 0)
                await send(new TerminalRequest { Stdin = ByteString.CopyFrom(buffer, 0, n) });
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or RpcException or InvalidOperationException)
        {
        }
    }
}
