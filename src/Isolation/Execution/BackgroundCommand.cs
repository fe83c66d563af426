using System.Diagnostics;
using System.Net.Sockets;
using Sandboxd.Isolation.Interop;
using Sandboxd.Isolation.Launch;

namespace Sandboxd.Isolation.Execution;

/// <summary>A command that runs on its own, not tied to any call: its output goes into a bounded
/// ring per stream that readers replay and follow; input, signals and kills come from any call.
/// On a terminal, the command's stdin, stdout and stderr are one pty slave from the sandbox's
/// devpts and its output is the stdout ring.</summary>
public sealed class BackgroundCommand
{
    private static readonly TimeSpan KillLimit = TimeSpan.FromSeconds(10);

    private readonly InitChannel _init;
    private readonly int _initPid;
    private readonly PendingCommand _command;
    private readonly Socket? _stdin;
    private readonly SandboxPty? _pty;
    private readonly Lock _inputLock = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private BackgroundCommand(InitChannel init, int initPid, PendingCommand command, int bufferBytes, Socket? stdin, SandboxPty? pty)
    {
        _init = init;
        _initPid = initPid;
        _command = command;
        _stdin = stdin;
        _pty = pty;
        Stdout = new OutputRing(bufferBytes);
        Stderr = new OutputRing(bufferBytes);
    }

    public OutputRing Stdout { get; }

    public OutputRing Stderr { get; }

    public bool IsTerminal => _pty is not null;

    /// <summary>The leader's pid inside the sandbox (= its session and process group id).</summary>
    public int Pid { get; private set; }

    /// <summary>Completes when the leader was reaped and its output drained.</summary>
    public Task<ExecutionResult> Exited { get; private set; } = null!;

    public static async Task<BackgroundCommand> StartAsync(InitChannel init, int initPid, ExecSpec spec, int bufferBytes,
        (ushort Rows, ushort Cols)? terminal, ICommandTag? tag = null)
    {
        if (terminal is { } size)
        {
            var pty = SandboxPty.Open(initPid, size.Rows, size.Cols);
            try
            {
                var pending = init.Start(spec, pty.SlaveFd, pty.SlaveFd, pty.SlaveFd, tag, tty: true);
                pty.CloseSlave();
                var command = new BackgroundCommand(init, initPid, pending, bufferBytes, null, pty);
                await command.RunAsync([PumpPtyAsync(pty, command.Stdout)], [pty]).ConfigureAwait(false);
                return command;
            }
            catch
            {
                pty.Dispose();
                throw;
            }
        }
        var stdin = StdioPair.Create();
        var stdout = StdioPair.Create();
        var stderr = StdioPair.Create();
        try
        {
            var pending = init.Start(spec, stdin.RemoteFd, stdout.RemoteFd, stderr.RemoteFd, tag);
            stdin.CloseRemote();
            stdout.CloseRemote();
            stderr.CloseRemote();
            var command = new BackgroundCommand(init, initPid, pending, bufferBytes, stdin.Local, null);
            await command.RunAsync([PumpAsync(stdout.Local, command.Stdout), PumpAsync(stderr.Local, command.Stderr)],
                [stdin, stdout, stderr]).ConfigureAwait(false);
            return command;
        }
        catch
        {
            stdin.Dispose();
            stdout.Dispose();
            stderr.Dispose();
            throw;
        }
    }

    private async Task RunAsync(Task[] pumps, IDisposable[] owned)
    {
        Pid = await _command.Started.ConfigureAwait(false);
        Exited = FinishAsync(pumps, owned);
    }

    private async Task<ExecutionResult> FinishAsync(Task[] pumps, IDisposable[] owned)
    {
        InitEvent exit;
        try
        {
            exit = await _command.Exited.ConfigureAwait(false);
        }
        finally
        {
            _clock.Stop();
            try
            {
                await Task.WhenAll(pumps).WaitAsync(CommandRunner.DrainGrace).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
            Stdout.Close();
            Stderr.Close();
            // A pty's reader may still be blocked in read(): its fd is closed when that returns.
            foreach (var o in owned)
                if (o is not SandboxPty)
                    o.Dispose();
        }
        return CommandRunner.ToResult(exit, false, _clock.Elapsed) with { Timeline = _command.Timeline };
    }

    public bool HasExited => Exited.IsCompleted;

    public async ValueTask WriteInputAsync(ReadOnlyMemory<byte> data, CancellationToken cancel)
    {
        if (_pty is { } pty)
        {
            lock (_inputLock)
                pty.Write(data.Span);
            return;
        }
        try
        {
            while (!data.IsEmpty)
            {
                int n = await _stdin!.SendAsync(data, SocketFlags.None, cancel).ConfigureAwait(false);
                data = data[n..];
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            throw new IOException("the command's stdin is closed", e);
        }
    }

    /// <summary>EOF on stdin; on a terminal, the EOF character (^D) as a typed line end.</summary>
    public void CloseInput()
    {
        if (_pty is { } pty)
        {
            lock (_inputLock)
                pty.Write([4]);
            return;
        }
        try
        {
            _stdin!.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    public void Resize(ushort rows, ushort cols) => _pty?.Resize(rows, cols);

    /// <summary>To the whole process group while its leader lives (init's kill(-pgid)), then to
    /// what is left of its session, found from the host.</summary>
    public void Signal(int signal)
    {
        if (!HasExited)
            _init.Kill(_command.ExecId, signal);
        ProcessTree.Signal(_initPid, Pid, signal);
    }

    /// <summary>Returns once no process of the execution is left; the number killed. The host's
    /// walk goes first: it finds a process that left the session (setsid) through its parent,
    /// which init's kill of the process group would have taken away. init's kill follows for
    /// whatever the host cannot see.</summary>
    public int Kill()
    {
        int killed = ProcessTree.Kill(_initPid, Pid, KillLimit);
        if (!HasExited)
            _init.Kill(_command.ExecId, Native.SIGKILL);
        return killed + ProcessTree.Kill(_initPid, Pid, KillLimit);
    }

    private static async Task PumpAsync(Socket socket, OutputRing ring)
    {
        var buffer = new byte[32 * 1024];
        try
        {
            while (true)
            {
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                if (n == 0)
                    return;
                ring.Append(buffer.AsSpan(0, n));
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>On a thread of its own (a pty master is a blocking fd); owns the pty's close.</summary>
    private static Task PumpPtyAsync(SandboxPty pty, OutputRing ring)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            var buffer = new byte[32 * 1024];
            try
            {
                for (int n; (n = pty.Read(buffer)) > 0;)
                    ring.Append(buffer.AsSpan(0, n));
            }
            finally
            {
                done.TrySetResult();
                pty.Dispose();
            }
        }) { IsBackground = true, Name = "sbx-pty" }.Start();
        return done.Task;
    }
}
