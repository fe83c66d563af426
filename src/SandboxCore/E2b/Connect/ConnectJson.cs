using System.Buffers.Binary;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Sandboxd.Core.Orchestration;

namespace Sandboxd.Core.E2b.Connect;

/// <summary>The Connect protocol's JSON codec (connectrpc.com/docs/protocol): proto3's canonical
/// JSON mapping through Google.Protobuf, unknown fields ignored; streaming messages framed as
/// one flag byte and a 4-byte big-endian length.</summary>
public static class ConnectJson
{
    public const string UnaryContentType = "application/json";
    public const string StreamContentType = "application/connect+json";
    public const byte EndStreamFlag = 0x02;
    private const byte CompressedFlag = 0x01;

    /// <summary>A request message past this is refused (invalid_argument), not buffered.</summary>
    public const int MaxMessageBytes = 16 << 20;

    public static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    public static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default);

    /// <summary>A unary request's body: one JSON object (an empty body is the empty message).</summary>
    public static async Task<T> ReadUnaryAsync<T>(HttpRequest request, MessageParser<T> parser, CancellationToken cancel)
        where T : IMessage<T>, new()
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(cancel).ConfigureAwait(false);
        if (text.Length > MaxMessageBytes)
            throw new InvalidFieldException("body", $"more than {MaxMessageBytes} bytes");
        return Parse(parser, text);
    }

    /// <summary>The next enveloped message of a streaming request; null at the end of the body.</summary>
    public static async Task<T?> ReadEnvelopeAsync<T>(Stream body, MessageParser<T> parser, CancellationToken cancel)
        where T : class, IMessage<T>, new()
    {
        var header = new byte[5];
        int got = await ReadFullyAsync(body, header, cancel).ConfigureAwait(false);
        if (got == 0)
            return null;
        if (got < header.Length)
            throw new InvalidFieldException("body", "a message envelope ends early");
        if ((header[0] & CompressedFlag) != 0)
            throw new InvalidFieldException("body", "compressed messages are not accepted (send identity)");
        int length = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1));
        if (length is < 0 or > MaxMessageBytes)
            throw new InvalidFieldException("body", $"a message of {length} bytes (at most {MaxMessageBytes})");
        var payload = new byte[length];
        if (await ReadFullyAsync(body, payload, cancel).ConfigureAwait(false) < length)
            throw new InvalidFieldException("body", "a message ends early");
        if ((header[0] & EndStreamFlag) != 0)
            return null;
        return Parse(parser, System.Text.Encoding.UTF8.GetString(payload));
    }

    private static T Parse<T>(MessageParser<T> parser, string text) where T : IMessage<T>, new()
    {
        if (string.IsNullOrWhiteSpace(text))
            return new T();
        try
        {
            return Parser.Parse<T>(text);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidFieldException(parser.ToString() ?? "body", e.Message);
        }
        catch (InvalidJsonException e)
        {
            throw new InvalidFieldException("body", e.Message);
        }
    }

    private static async Task<int> ReadFullyAsync(Stream body, byte[] into, CancellationToken cancel)
    {
        int at = 0;
        while (at < into.Length)
        {
            int n = await body.ReadAsync(into.AsMemory(at), cancel).ConfigureAwait(false);
            if (n == 0)
                break;
            at += n;
        }
        return at;
    }

    /// <summary>One frame: the flag byte, the length, the JSON.</summary>
    public static byte[] Envelope(byte flags, string json)
    {
        var payload = System.Text.Encoding.UTF8.GetBytes(json);
        var frame = new byte[5 + payload.Length];
        frame[0] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    /// <summary>{"code": "...", "message": "..."}: a unary error's body and a stream's end error.</summary>
    public static string ErrorJson(E2bError error)
    {
        using var buffer = new MemoryStream();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("code", error.ConnectCode);
            json.WriteString("message", error.Message);
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static async Task WriteUnaryAsync(HttpResponse response, IMessage message, CancellationToken cancel)
    {
        response.StatusCode = 200;
        response.ContentType = UnaryContentType;
        await response.WriteAsync(Formatter.Format(message), cancel).ConfigureAwait(false);
    }

    public static async Task WriteUnaryErrorAsync(HttpResponse response, E2bError error)
    {
        response.StatusCode = error.ConnectHttpStatus;
        response.ContentType = UnaryContentType;
        await response.WriteAsync(ErrorJson(error)).ConfigureAwait(false);
    }
}
