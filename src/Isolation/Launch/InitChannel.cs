using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Sandboxd.Isolation.Interop;
using Sandboxd.Isolation.Seccomp;

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
    private volatile NotifyingFilter? _listened;

    public InitChannel(int fd)
    {
        _socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
        // A thread of its own: events may carry fds (SCM_RIGHTS), which .NET's socket API cannot receive.
        new Thread(ReceiveLoop) { IsBackground = true, Name = "sbx-init-channel" }.Start();
    }

    /// <summary>Completes when init has gone away (the sandbox is dead).</summary>
    public Task Closed => _closed.Task;

    /// <summary>Called (on a listener thread) for every call the profile audits, before it runs,
    /// and for refused calls (rate-limited) after they were answered.</summary>
    public Action<SyscallNotice>? SyscallObserved { get; set; }

    public PendingCommand Start(ExecSpec spec, int stdinFd, int stdoutFd, int stderrFd, ICommandTag? tag = null, bool tty = false)
    {
        uint id = Interlocked.Increment(ref _nextExecId);
        var pending = new PendingCommand(id, tag) { SentAt = System.Diagnostics.Stopwatch.GetTimestamp() };
        _pending[id] = pending;
        try
        {
            Send(InitProtocol.EncodeExec(id, spec, tty), [stdinFd, stdoutFd, stderrFd]);
        }
        catch
        {
            _pending.TryRemove(id, out _);
            throw;
        }
        return pending;
    }

    /// <summary>The filter every later command runs under. Messages are ordered on the socket,
    /// so no command can start before it. With <paramref name="listened"/>, each command's filter
    /// gets a listener here that answers the calls the program notifies (audited and refused ones).</summary>
    public void SetSeccomp(byte[] program, NotifyingFilter? listened)
    {
        _listened = listened;
        Send(InitProtocol.EncodeSetSeccomp(program, notify: listened is not null), []);
    }

    /// <summary>After a re-adoption: init still holds the program it was sent by the daemon that
    /// launched it; this daemon only needs to answer its commands' listeners again.</summary>
    public void Readopted(NotifyingFilter? listened) => _listened = listened;

    /// <summary>What every later command started as uid 0 keeps (nothing until this is sent).</summary>
    public void SetRootCapabilities(ulong capabilities) =>
        Send(InitProtocol.EncodeSetRootCapabilities(capabilities), []);

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
                    throw InitExitedException.OnSend(Marshal.GetLastPInvokeError());
            }
        }
    }

    private unsafe void ReceiveLoop()
    {
        var buffer = new byte[InitProtocol.EventSize];
        int* fds = stackalloc int[4];
        int sock = (int)_socket.Handle;
        while (true)
        {
            int count;
            int n;
            fixed (byte* b = buffer)
                n = Native.RecvWithFds(sock, b, (uint)buffer.Length, fds, 4, &count, -1);
            if (n <= 0)
                break;
            if (n != InitProtocol.EventSize)
            {
                for (int i = 0; i < count; i++)
                    Native.Close(fds[i]);
                continue;
            }
            var ev = InitProtocol.DecodeEvent(buffer);
            if (ev.Type == InitProtocol.MsgNotifyFd && count >= 1)
                StartListener(ev, fds[0]);
            else
                Dispatch(ev);
            for (int i = ev.Type == InitProtocol.MsgNotifyFd ? 1 : 0; i < count; i++)
                Native.Close(fds[i]);
        }
        _closed.TrySetResult();
        foreach (var pending in _pending.Values)
            pending.Fail(new InitExitedException());
        _pending.Clear();
    }

    private void StartListener(InitEvent ev, int listener)
    {
        var tag = _pending.TryGetValue(ev.ExecId, out var pending) ? pending.Tag : null;
        if (pending is not null)
        {
            pending.ListenerAt = System.Diagnostics.Stopwatch.GetTimestamp();
            pending.NotifyEvent = ev;
        }
        if (_listened is not { } filter)
        {
            // Init only sends listeners for a notifying filter; without one nothing could answer.
            Native.Close(listener);
            return;
        }
        SyscallListener.Start(listener, filter, tag, notice => SyscallObserved?.Invoke(notice));
    }

    private void Dispatch(InitEvent ev)
    {
        if (!_pending.TryGetValue(ev.ExecId, out var pending))
            return;
        switch (ev.Type)
        {
            case InitProtocol.MsgStarted:
                pending.MarkStarted(ev);
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

    public void Dispose()
    {
        try
        {
            // Wakes the receive thread (its poll sees the shutdown) before the fd is closed.
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        _socket.Dispose();
    }
}
