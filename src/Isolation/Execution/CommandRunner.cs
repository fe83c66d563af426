using System.Diagnostics;
using System.Net.Sockets;
using Sandboxd.Isolation.Interop;
using Sandboxd.Isolation.Launch;

namespace Sandboxd.Isolation.Execution;

/// <summary>Runs one command through a sandbox's init: streams its output as it comes, feeds its
/// stdin, enforces the timeout, and kills it when the caller goes away.</summary>
public static class CommandRunner
{
    /// <summary>How long output may still drain after the command exited; a background child
    /// that keeps stdout open must not hold the call forever.</summary>
    internal static readonly TimeSpan DrainGrace = TimeSpan.FromMilliseconds(200);

    public delegate ValueTask OutputSink(OutputStream stream, ReadOnlyMemory<byte> data);

    public static async Task<ExecutionResult> RunAsync(InitChannel init, ExecSpec spec, ReadOnlyMemory<byte> stdin,
        OutputSink sink, TimeSpan? timeout, CancellationToken cancel, ICommandTag? tag = null)
    {
        using var stdinPair = StdioPair.Create();
        using var stdoutPair = StdioPair.Create();
        using var stderrPair = StdioPair.Create();
        var clock = Stopwatch.StartNew();
        var command = init.Start(spec, stdinPair.RemoteFd, stdoutPair.RemoteFd, stderrPair.RemoteFd, tag);
        stdinPair.CloseRemote();
        stdoutPair.CloseRemote();
        stderrPair.CloseRemote();

        // Not cancellable: init answers at once, and a command that started must be killed below.
        await command.Started.ConfigureAwait(false);

        using var timeoutCts = new CancellationTokenSource();
        if (timeout is { } t && t > TimeSpan.Zero)
            timeoutCts.CancelAfter(t);
        bool timedOut = false;
        using var onTimeout = timeoutCts.Token.Register(() => { timedOut = true; init.Kill(command.ExecId, Native.SIGKILL); });
        using var onCancel = cancel.Register(() => init.Kill(command.ExecId, Native.SIGKILL));

        var feed = FeedStdinAsync(stdinPair.Local, stdin);
        var outPump = PumpAsync(stdoutPair.Local, OutputStream.Stdout, sink);
        var errPump = PumpAsync(stderrPair.Local, OutputStream.Stderr, sink);

        var exit = await command.Exited.ConfigureAwait(false);
        clock.Stop();
        try
        {
            await Task.WhenAll(outPump, errPump).WaitAsync(DrainGrace, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        stdoutPair.Local.Dispose();
        stderrPair.Local.Dispose();
        await Task.WhenAll(feed, outPump, errPump).ConfigureAwait(false);
        cancel.ThrowIfCancellationRequested();
        return ToResult(exit, timedOut, clock.Elapsed) with { Timeline = command.Timeline };
    }

    internal static ExecutionResult ToResult(InitEvent exit, bool timedOut, TimeSpan wall)
    {
        int status = exit.WaitStatus;
        bool exited = (status & 0x7f) == 0;
        return new ExecutionResult(
            ExitCode: exited ? (status >> 8) & 0xff : -1,
            Signal: exited ? 0 : status & 0x7f,
            TimedOut: timedOut,
            WallTime: wall,
            UserCpuUs: exit.UserCpuUs,
            SystemCpuUs: exit.SystemCpuUs,
            PeakMemoryBytes: exit.MaxRssKb * 1024);
    }

    private static async Task FeedStdinAsync(Socket socket, ReadOnlyMemory<byte> data)
    {
        try
        {
            while (!data.IsEmpty)
            {
                int n = await socket.SendAsync(data, SocketFlags.None).ConfigureAwait(false);
                data = data[n..];
            }
        }
        catch (SocketException)
        {
            // The command closed its stdin early (like `head`): the rest is not wanted.
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            try
            {
                socket.Shutdown(SocketShutdown.Send);
            }
            catch (SocketException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private static async Task PumpAsync(Socket socket, OutputStream stream, OutputSink sink)
    {
        var buffer = new byte[32 * 1024];
        try
        {
            while (true)
            {
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                if (n == 0)
                    return;
                await sink(stream, buffer.AsMemory(0, n)).ConfigureAwait(false);
            }
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
