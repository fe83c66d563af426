using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Sandboxd.Isolation.Interop;

namespace Sandboxd.Isolation.Launch;

/// <summary>The daemon's end of a sandbox init's control socket: sends commands (with their
/// stdio fds), routes init's events to the command they belong to, and notices init's death.</summary>
public sealed class InitChannel : IDisposable
{
    private readonly Socket _socket;
    private readonly ConcurrentDictionary<uint, PendingCommand> _pending = new();
    private readonly Lock _sendLock = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private uint _nextExecId;

    public InitChannel(int fd)
    {
        _socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
        _ = ReceiveLoopAsync();
    }

    /// <summary>Completes when init has gone away (the sandbox is dead).</summary>
    public Task Closed => _closed.Task;

    public PendingCommand Start(ExecSpec spec, int stdinFd, int stdoutFd, int stderrFd)
    {
        uint id = Interlocked.Increment(ref _nextExecId);
        var pending = new PendingCommand(id);
        _pending[id] = pending;
        try
        {
            Send(InitProtocol.EncodeExec(id, spec), [stdinFd, stdoutFd, stderrFd]);
        }
        catch
        {
            _pending.TryRemove(id, out _);
            throw;
        }
        return pending;
    }

    /// <summary>The filter every later command runs under. Messages are ordered on the socket,
    /// so no command can start before it.</summary>
    public void SetSeccomp(byte[] program) => Send(InitProtocol.EncodeSetSeccomp(program), []);

    public void Kill(uint execId, int signal)
    {
        if (!_closed.Task.IsCompleted)
            Send(InitProtocol.EncodeKill(execId, signal), []);
    }

    private unsafe void Send(byte[] message, int[] fds)
    {
        lock (_sendLock)
        {
            fixed (byte* m = message)
            fixed (int* f = fds)
            {
                int fd = (int)_socket.Handle;
                if (Native.SendWithFds(fd, m, (uint)message.Length, f, fds.Length) != message.Length)
                    throw new SandboxSetupException("send to sandbox init", Marshal.GetLastPInvokeError(), "the sandbox's init has exited");
            }
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[InitProtocol.EventSize];
        try
        {
            while (true)
            {
                int n = await _socket.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                if (n == 0)
                    break;
                if (n != InitProtocol.EventSize)
                    continue;
                Dispatch(InitProtocol.DecodeEvent(buffer));
            }
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        _closed.TrySetResult();
        foreach (var pending in _pending.Values)
            pending.Fail(new SandboxSetupException("the sandbox's init exited; the sandbox is gone"));
        _pending.Clear();
    }

    private void Dispatch(InitEvent ev)
    {
        if (!_pending.TryGetValue(ev.ExecId, out var pending))
            return;
        switch (ev.Type)
        {
            case InitProtocol.MsgStarted:
                pending.MarkStarted(ev.Pid);
                break;
            case InitProtocol.MsgFailed:
                _pending.TryRemove(ev.ExecId, out _);
                pending.Fail(new SandboxSetupException(InitProtocol.ExecStepName(ev.Step), ev.Error));
                break;
            case InitProtocol.MsgExited:
                _pending.TryRemove(ev.ExecId, out _);
                pending.MarkExited(ev);
                break;
        }
    }

    public void Dispose() => _socket.Dispose();
}
