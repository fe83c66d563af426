namespace Sandboxd.Tests.Network;

/// <summary>Under an SslStream: its first write (the ClientHello, in one record) goes out as
/// several records cut where <paramref name="cut"/> says, each in its own TCP segment; everything after
/// that passes through. The TLS is the real client's, only its record framing changes.</summary>
internal sealed class SplitHelloStream(Stream inner, Func<byte[], int[]> cut, TimeSpan pause) : Stream
{
    private bool _split;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_split)
        {
            await inner.WriteAsync(buffer, cancellationToken);
            return;
        }
        _split = true;
        var record = buffer.Span;
        var length = (record[3] << 8) | record[4];
        var message = ClientHelloBytes.MessageOf(record[..(5 + length)]);
        foreach (var piece in ClientHelloBytes.Records(message, cut(message)))
        {
            await inner.WriteAsync(piece, cancellationToken);
            await inner.FlushAsync(cancellationToken);
            await Task.Delay(pause, cancellationToken);
        }
        if (buffer.Length > 5 + length)
            await inner.WriteAsync(buffer[(5 + length)..], cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Dispose();
        base.Dispose(disposing);
    }
}
