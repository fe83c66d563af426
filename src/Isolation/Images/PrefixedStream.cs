namespace Sandboxd.Isolation.Images;

/// <summary>Bytes already read from a forward-only stream (to tell its format), then the rest of it.</summary>
internal sealed class PrefixedStream(byte[] prefix, int length, Stream rest) : Stream
{
    private int _offset;
    private long _position;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_offset < length)
        {
            int n = Math.Min(buffer.Length, length - _offset);
            prefix.AsSpan(_offset, n).CopyTo(buffer);
            _offset += n;
            _position += n;
            return n;
        }
        int read = rest.Read(buffer);
        _position += read;
        return read;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    /// <summary>Bytes read so far (the xz decoder asks, to check its index's sizes).</summary>
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
