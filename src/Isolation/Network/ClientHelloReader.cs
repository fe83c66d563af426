using System.Buffers;
using System.Net.Sockets;

namespace Sandboxd.Isolation.Network;

/// <summary>The client's first bytes of a tunnel, held back while its ClientHello (and a second
/// one after a HelloRetryRequest) is put together and judged. Bounded: what does not fit in
/// <see cref="MaxBytes"/> is refused, not inspected in part.</summary>
internal sealed class ClientHelloReader : IDisposable
{
    /// <summary>A ClientHello may be up to 16 MiB by the protocol; real ones, post-quantum key
    /// shares included, stay under a few KiB.</summary>
    public const int MaxBytes = 64 * 1024;

    private readonly Socket _client;
    private readonly byte[] _buffer = ArrayPool<byte>.Shared.Rent(MaxBytes);
    private readonly byte[] _message = ArrayPool<byte>.Shared.Rent(MaxBytes);

    public ClientHelloReader(Socket client, ReadOnlySpan<byte> initial)
    {
        _client = client;
        initial[..Math.Min(initial.Length, MaxBytes)].CopyTo(_buffer);
        Filled = Math.Min(initial.Length, MaxBytes);
        if (initial.Length > MaxBytes)
            throw new ArgumentException("more initial bytes than a hello may take", nameof(initial));
    }

    public int Filled { get; private set; }

    public ReadOnlyMemory<byte> Held => _buffer.AsMemory(0, Filled);

    public bool StartsWithHandshake => Filled > 0 && _buffer[0] == TlsRecords.Handshake;

    /// <summary>One read; 0 at the client's EOF (or when the buffer is full).</summary>
    public async ValueTask<int> ReceiveAsync(CancellationToken cancellationToken)
    {
        if (Filled == MaxBytes)
            return 0;
        var n = await _client.ReceiveAsync(_buffer.AsMemory(Filled, MaxBytes - Filled), SocketFlags.None, cancellationToken);
        Filled += n;
        return n;
    }

    /// <summary>Drops the first <paramref name="count"/> bytes once they have been sent on.</summary>
    public void Consume(int count)
    {
        _buffer.AsSpan(count, Filled - count).CopyTo(_buffer);
        Filled -= count;
    }

    /// <summary>Reads until the handshake message whose first record starts at <paramref name="start"/>
    /// is whole, or fails; the deadline runs from here.</summary>
    public async Task<HelloRead> ReadHelloAsync(int start, TimeSpan deadline, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(deadline);
        try
        {
            while (true)
            {
                var scan = TlsRecords.ScanMessage(_buffer.AsSpan(start, Filled - start), _message.AsSpan(0, MaxBytes));
                if (scan.Status == HandshakeStatus.Complete)
                {
                    var valid = ClientHello.TryParse(_message.AsSpan(0, scan.MessageLength), out var hello);
                    return new HelloRead(scan.Status, start + scan.End, valid ? hello : null);
                }
                if (scan.Status != HandshakeStatus.NeedMore)
                    return new HelloRead(scan.Status, start + scan.End, null);
                if (Filled == MaxBytes)
                    return new HelloRead(HandshakeStatus.TooLarge, Filled, null);
                if (await ReceiveAsync(timeout.Token) == 0)
                    return new HelloRead(HandshakeStatus.Closed, Filled, null);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new HelloRead(HandshakeStatus.TimedOut, Filled, null);
        }
    }

    /// <summary>After a ClientHello offering TLS 1.3 has gone to the server: the second ClientHello
    /// a HelloRetryRequest asks for, or null once the client's records show there is none. The
    /// proxy does not read the server's side, so it tells from the client's: after the first hello
    /// the next record (past the compatibility ChangeCipherSpec) is a handshake record starting a
    /// ClientHello only after a retry request. Anything else (application data, a TLS 1.2
    /// client's Certificate or key exchange, a resumed TLS 1.2 session's encrypted Finished
    /// whose first byte is not 1) ends the inspection. A resumed session's encrypted Finished
    /// that happens to start with 1 (one in 256) is taken for a hello until a record of another
    /// type interrupts it, which a hello may not contain. No deadline until a hello has begun:
    /// the client may be waiting for the server.</summary>
    public async Task<HelloRead?> ReadRetryHelloAsync(TimeSpan deadline, CancellationToken cancellationToken)
    {
        var position = 0;
        var records = 0;
        while (true)
        {
            if (Filled - position < TlsRecords.HeaderLength + 1)
            {
                if (await ReceiveAsync(cancellationToken) == 0)
                    return null; // EOF (or a full buffer of ChangeCipherSpecs, refused below)
                continue;
            }
            var record = _buffer.AsSpan(position, Filled - position);
            var length = TlsRecords.RecordLength(record);
            if (record[0] == TlsRecords.ChangeCipherSpec)
            {
                // Its one byte is all it may hold: a longer one could hide records from this scan.
                if (length != 1)
                    return new HelloRead(HandshakeStatus.Malformed, position, null);
                if (++records > TlsRecords.MaxRecords)
                    return new HelloRead(HandshakeStatus.TooManyRecords, position, null);
                position += TlsRecords.HeaderLength + length;
                continue;
            }
            if (record[0] == TlsRecords.Handshake && length == 0)
                return new HelloRead(HandshakeStatus.Malformed, position, null);
            if (record[0] != TlsRecords.Handshake || record[TlsRecords.HeaderLength] != TlsRecords.ClientHelloType)
                return null;
            var read = await ReadHelloAsync(position, deadline, cancellationToken);
            return read.Status == HandshakeStatus.Interrupted ? null : read;
        }
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        ArrayPool<byte>.Shared.Return(_message);
    }
}
