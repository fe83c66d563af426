using System.Text.Json;

namespace Sandboxd.Audit.Events;

/// <summary>Reads the stored form (see <see cref="AuditEventJson"/>) token by token. Journal replay
/// and cold reads parse every line they hold; building a JsonDocument per line cost several times
/// more than the event itself. Unknown fields are skipped, so newer writers may add fields.</summary>
internal static class AuditEventJsonReader
{
    public static AuditEvent Read(ReadOnlySpan<byte> utf8)
    {
        var r = new Utf8JsonReader(utf8);
        Expect(ref r, JsonTokenType.StartObject);
        int? version = null, kind = null;
        long? sequence = null, ticks = null;
        string? id = null, tenant = null, principal = null, sandbox = null, execution = null, request = null, trace = null;
        int risk = 0;
        Dictionary<string, string>? attributes = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("v"u8)) version = NextInt32(ref r);
            else if (r.ValueTextEquals("id"u8)) id = NextString(ref r);
            else if (r.ValueTextEquals("seq"u8)) sequence = NextInt64(ref r);
            else if (r.ValueTextEquals("t"u8)) ticks = NextInt64(ref r);
            else if (r.ValueTextEquals("k"u8)) kind = NextInt32(ref r);
            else if (r.ValueTextEquals("ten"u8)) tenant = NextString(ref r);
            else if (r.ValueTextEquals("pri"u8)) principal = NextString(ref r);
            else if (r.ValueTextEquals("sbx"u8)) sandbox = NextString(ref r);
            else if (r.ValueTextEquals("exe"u8)) execution = NextString(ref r);
            else if (r.ValueTextEquals("req"u8)) request = NextString(ref r);
            else if (r.ValueTextEquals("trc"u8)) trace = NextString(ref r);
            else if (r.ValueTextEquals("r"u8)) risk = NextInt32(ref r);
            else if (r.ValueTextEquals("a"u8)) attributes = Attributes(ref r);
            else
            {
                r.Read();
                r.Skip();
            }
        }
        if (r.TokenType != JsonTokenType.EndObject)
            throw new JsonException("audit event: expected a property or the end of the object");
        int v = version ?? throw Missing("v");
        if (v > AuditEvent.CurrentVersion)
            throw new FormatException($"audit event version {v} is newer than this reader ({AuditEvent.CurrentVersion})");
        return new AuditEvent(sequence ?? throw Missing("seq"), new DateTimeOffset(ticks ?? throw Missing("t"), TimeSpan.Zero),
            (AuditKind)(kind ?? throw Missing("k")), sandbox, execution, attributes ?? throw Missing("a"))
        {
            Version = v,
            Id = id ?? throw Missing("id"),
            Tenant = tenant,
            Principal = principal,
            RequestId = request,
            TraceId = trace,
            Risk = (AuditRisk)risk,
        };
    }

    /// <summary>A JSON object of string values (the "a" of the stored form, warm's attrs column).</summary>
    public static Dictionary<string, string> ReadAttributes(ReadOnlySpan<byte> utf8)
    {
        var r = new Utf8JsonReader(utf8);
        return Attributes(ref r);
    }

    private static Dictionary<string, string> Attributes(ref Utf8JsonReader r)
    {
        Expect(ref r, JsonTokenType.StartObject);
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            string key = r.GetString()!;
            attributes[key] = NextString(ref r) ?? "";
        }
        if (r.TokenType != JsonTokenType.EndObject)
            throw new JsonException("audit event: attributes must be an object of strings");
        return attributes;
    }

    private static void Expect(ref Utf8JsonReader r, JsonTokenType type)
    {
        if (!r.Read() || r.TokenType != type)
            throw new JsonException($"audit event: expected {type}, found {r.TokenType}");
    }

    private static string? NextString(ref Utf8JsonReader r)
    {
        r.Read();
        return r.GetString();
    }

    private static int NextInt32(ref Utf8JsonReader r)
    {
        r.Read();
        return r.GetInt32();
    }

    private static long NextInt64(ref Utf8JsonReader r)
    {
        r.Read();
        return r.GetInt64();
    }

    private static KeyNotFoundException Missing(string field) => new($"audit event: the stored form has no '{field}'");
}
