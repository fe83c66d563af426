using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Google.Protobuf;

namespace Sandboxd.Api.Wire;

/// <summary>The gRPC length-prefixed message: 1 byte compressed flag, 4 bytes big-endian length,
/// then the protobuf bytes. Writing goes straight into the transport's buffer and reading parses
/// from the pipe's own segments, so no message is copied into an array of its own.</summary>
public static class GrpcFraming
{
    public const int HeaderSize = 5;

    /// <summary>The gRPC default for received messages: larger ones fail with ResourceExhausted.</summary>
    public const int DefaultMaxMessageSize = 4 * 1024 * 1024;

    /// <summary>Writes <paramref name="message"/> with its frame header into <paramref name="writer"/>.
    /// The caller flushes.</summary>
    public static void WriteMessage(IBufferWriter<byte> writer, IMessage message)
    {
        int size = message.CalculateSize();
        Span<byte> header = writer.GetSpan(HeaderSize);
        header[0] = 0; // never compressed: we do not negotiate grpc-encoding
        BinaryPrimitives.WriteUInt32BigEndian(header[1..], (uint)size);
        writer.Advance(HeaderSize);
        message.WriteTo(writer);
    }

    /// <summary>Reads the next message, or returns null when the stream ends cleanly between
    /// messages. The size limit is checked from the header, before the body is buffered.</summary>
    public static async ValueTask<T?> ReadMessageAsync<T>(
        PipeReader reader, MessageParser<T> parser, int maxMessageSize, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            SequencePosition consumed = buffer.Start;
            try
            {
                if (TryReadFrame(buffer, maxMessageSize, out ReadOnlySequence<byte> payload))
                {
                    consumed = payload.End;
                    return Parse(parser, payload);
                }
                if (result.IsCompleted)
                {
                    if (buffer.IsEmpty)
                        return null;
                    consumed = buffer.End;
                    throw new RpcException(StatusCode.Internal, "truncated message");
                }
                if (result.IsCanceled)
                    throw new OperationCanceledException(cancellationToken);
            }
            finally
            {
                reader.AdvanceTo(consumed, buffer.End);
            }
        }
    }

    /// <summary>Finds one complete frame at the start of <paramref name="buffer"/>; false when more
    /// bytes are needed. Throws as soon as the header shows the frame can never be accepted.</summary>
    public static bool TryReadFrame(ReadOnlySequence<byte> buffer, int maxMessageSize, out ReadOnlySequence<byte> payload)
    {
        payload = default;
        if (buffer.Length < HeaderSize)
            return false;

        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        if (header[0] != 0)
        {
            throw header[0] == 1
                ? new RpcException(StatusCode.Unimplemented, "compressed messages are not supported")
                : new RpcException(StatusCode.Internal, $"invalid compressed flag {header[0]}");
        }

        uint length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > (uint)maxMessageSize)
        {
            throw new RpcException(
                StatusCode.ResourceExhausted,
                $"message of {length} bytes exceeds the limit of {maxMessageSize} bytes");
        }

        if (buffer.Length - HeaderSize < length)
            return false;
        payload = buffer.Slice(HeaderSize, length);
        return true;
    }

    private static T Parse<T>(MessageParser<T> parser, ReadOnlySequence<byte> payload)
        where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new RpcException(StatusCode.InvalidArgument, $"malformed request: {e.Message}", e);
        }
    }
}
