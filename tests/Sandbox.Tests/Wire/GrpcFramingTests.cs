using System.Buffers;
using System.IO.Pipelines;
using Google.Protobuf;
using Sandboxd.Api.V1;
using Sandboxd.Api.Wire;
using Xunit;

namespace Sandboxd.Tests.Wire;

public sealed class GrpcFramingTests
{
    [Fact]
    public async Task MessagesRoundTripAndACleanEndReadsAsNull()
    {
        var pipe = new Pipe();
        Sandbox[] sent =
        [
            new Sandbox { Id = "a", Hostname = "h" },
            new Sandbox(), // an empty message is a frame of length 0, not the end
            new Sandbox { Id = "c", Labels = { ["k"] = "v" }, InitPid = 42 },
        ];
        foreach (Sandbox message in sent)
            GrpcFraming.WriteMessage(pipe.Writer, message);
        await pipe.Writer.CompleteAsync();

        foreach (Sandbox expected in sent)
            Assert.Equal(expected, await Read(pipe.Reader));
        Assert.Null(await Read(pipe.Reader));
    }

    [Fact]
    public async Task AFrameArrivingOneByteAtATimeIsReassembled()
    {
        var message = new Sandbox { Id = new string('x', 300), Image = "/img" };
        byte[] framed = Frame(message);
        var pipe = new Pipe();

        Task<Sandbox?> read = Read(pipe.Reader).AsTask();
        for (int i = 0; i < framed.Length; i++)
        {
            Assert.False(read.IsCompleted, $"a message was read after only {i} bytes");
            await pipe.Writer.WriteAsync(framed.AsMemory(i, 1));
        }
        await pipe.Writer.CompleteAsync();

        Assert.Equal(message, await read);
    }

    [Fact]
    public void TheFrameIsAFlagByteABigEndianLengthAndTheMessage()
    {
        var message = new GetRequest { Id = "sbx" };
        byte[] framed = Frame(message);

        Assert.Equal(new byte[] { 0, 0, 0, 0, 5 }, framed[..5]);
        Assert.Equal(message.ToByteArray(), framed[5..]);
    }

    [Fact]
    public void WritingAMessageAllocatesNothing()
    {
        // Execute output is the hot path. (A map field would not do: protobuf's MapField
        // allocates on every write by itself, whatever the framing does.)
        var message = new ExecuteResponse { Stdout = ByteString.CopyFromUtf8(new string('o', 4096)) };
        var writer = new ArrayBufferWriter<byte>(64 * 1024);
        GrpcFraming.WriteMessage(writer, message); // warm up JIT and protobuf's caches
        writer.ResetWrittenCount();

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            GrpcFraming.WriteMessage(writer, message);
            writer.ResetWrittenCount();
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public async Task AMessageOverTheLimitFailsFromItsHeaderAlone()
    {
        var pipe = new Pipe();
        // Only the header: the limit must be enforced before the body is waited for or buffered.
        await pipe.Writer.WriteAsync(new byte[] { 0, 0, 0x40, 0, 1 });

        var e = await Assert.ThrowsAsync<RpcException>(() => Read(pipe.Reader).AsTask());
        Assert.Equal(StatusCode.ResourceExhausted, e.Status);
        Assert.Equal("message of 4194305 bytes exceeds the limit of 4194304 bytes", e.Message);
    }

    [Fact]
    public async Task TheLimitIsConfigurable()
    {
        var pipe = new Pipe();
        GrpcFraming.WriteMessage(pipe.Writer, new GetRequest { Id = "0123456789" });
        await pipe.Writer.CompleteAsync();

        var e = await Assert.ThrowsAsync<RpcException>(
            () => GrpcFraming.ReadMessageAsync(pipe.Reader, GetRequest.Parser, 10, CancellationToken.None).AsTask());
        Assert.Equal(StatusCode.ResourceExhausted, e.Status);
        Assert.Equal("message of 12 bytes exceeds the limit of 10 bytes", e.Message);
    }

    [Fact]
    public async Task ACompressedMessageIsUnimplemented()
    {
        byte[] framed = Frame(new Sandbox { Id = "a" });
        framed[0] = 1;

        var e = await Assert.ThrowsAsync<RpcException>(() => ReadAll(framed));
        Assert.Equal(StatusCode.Unimplemented, e.Status);
        Assert.Equal("compressed messages are not supported", e.Message);
    }

    [Theory]
    [InlineData(3)] // inside the header
    [InlineData(7)] // inside the body
    public async Task ATruncatedFrameIsAnErrorNotAnEnd(int keep)
    {
        byte[] framed = Frame(new Sandbox { Id = "abcdef" });

        var e = await Assert.ThrowsAsync<RpcException>(() => ReadAll(framed[..keep]));
        Assert.Equal(StatusCode.Internal, e.Status);
        Assert.Equal("truncated message", e.Message);
    }

    [Fact]
    public async Task BytesThatAreNotProtobufAreAMalformedRequest()
    {
        byte[] framed = [0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF];

        var e = await Assert.ThrowsAsync<RpcException>(() => ReadAll(framed));
        Assert.Equal(StatusCode.InvalidArgument, e.Status);
        Assert.StartsWith("malformed request: ", e.Message, StringComparison.Ordinal);
    }

    internal static byte[] Frame(IMessage message)
    {
        var writer = new ArrayBufferWriter<byte>();
        GrpcFraming.WriteMessage(writer, message);
        return writer.WrittenSpan.ToArray();
    }

    private static ValueTask<Sandbox?> Read(PipeReader reader) =>
        GrpcFraming.ReadMessageAsync(reader, Sandbox.Parser, GrpcFraming.DefaultMaxMessageSize, CancellationToken.None);

    private static async Task ReadAll(byte[] bytes)
    {
        PipeReader reader = PipeReader.Create(new ReadOnlySequence<byte>(bytes));
        while (await Read(reader) is not null)
        {
        }
    }
}
