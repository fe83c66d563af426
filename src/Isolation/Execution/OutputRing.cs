namespace Sandboxd.Isolation.Execution;

/// <summary>The newest <c>capacity</c> bytes of one output stream, addressed by offset since the
/// command started (so a reader that fell behind learns how much it lost), with a signal for
/// readers waiting on more.</summary>
public sealed class OutputRing(int capacity)
{
    private readonly Lock _lock = new();
    private byte[] _buffer = new byte[Math.Min(capacity, 64 * 1024)];
    private long _end;
    private bool _closed;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Capacity { get; } = capacity;

    /// <summary>Bytes written since the start (the offset of the next byte).</summary>
    public long End
    {
        get
        {
            lock (_lock)
                return _end;
        }
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            Grow(data.Length);
            var skip = Math.Max(0, data.Length - _buffer.Length);
            for (var rest = data[skip..]; !rest.IsEmpty;)
            {
                var at = (int)((_end + skip) % _buffer.Length);
                var n = Math.Min(rest.Length, _buffer.Length - at);
                rest[..n].CopyTo(_buffer.AsSpan(at));
                rest = rest[n..];
                skip += n;
            }
            _end += data.Length;
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
    }

    /// <summary>No more bytes will come (the command's end of the stream closed).</summary>
    public void Close()
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            _closed = true;
            changed = _changed;
        }
        changed.TrySetResult();
    }

    /// <summary>What is kept from <paramref name="offset"/> on (at most <paramref name="max"/>
    /// bytes): Start is past offset when the buffer wrapped over it. Changed completes on the
    /// next append or close; Closed with nothing returned means the stream is over.</summary>
    public RingRead Read(long offset, int max)
    {
        lock (_lock)
        {
            var start = Math.Clamp(offset, Math.Max(0, _end - Capacity), _end);
            var count = (int)Math.Min(max, _end - start);
            var data = new byte[count];
            for (int copied = 0; copied < count;)
            {
                var at = (int)((start + copied) % _buffer.Length);
                var n = Math.Min(count - copied, _buffer.Length - at);
                _buffer.AsSpan(at, n).CopyTo(data.AsSpan(copied));
                copied += n;
            }
            return new RingRead(start, data, _closed && start + count == _end, _changed.Task);
        }
    }

    /// <summary>Grows toward Capacity as output comes, so a quiet command costs little.</summary>
    private void Grow(int incoming)
    {
        if (_buffer.Length == Capacity || _end + incoming <= _buffer.Length)
            return;
        var size = (int)Math.Min(Capacity, Math.Max((long)_buffer.Length * 2, _end + incoming));
        var grown = new byte[size];
        // Until the first wrap the buffer holds bytes [0, _end) in place.
        _buffer.AsSpan(0, (int)_end).CopyTo(grown);
        _buffer = grown;
    }
}

/// <param name="Start">Offset of Data's first byte.</param>
/// <param name="Ended">Nothing more will be written past these bytes.</param>
public sealed record RingRead(long Start, byte[] Data, bool Ended, Task Changed);
