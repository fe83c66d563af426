using System.Text.Json;

namespace Sandboxd.Audit.Events;

/// <summary>The one stored form of an event (journal lines, cold segments, Redis entries), written
/// by hand so the field names are a visible, versioned contract rather than a serializer's choice.</summary>
public static class AuditEventJson
{
    public static void Write(Utf8JsonWriter w, AuditEvent ev)
    {
        w.WriteStartObject();
        w.WriteNumber("v", ev.Version);
        w.WriteString("id", ev.Id);
        w.WriteNumber("seq", ev.Sequence);
        w.WriteNumber("t", ev.Time.UtcTicks);
        w.WriteNumber("k", (int)ev.Kind);
        WriteOptional(w, "ten", ev.Tenant);
        WriteOptional(w, "pri", ev.Principal);
        WriteOptional(w, "sbx", ev.SandboxId);
        WriteOptional(w, "exe", ev.ExecutionId);
        WriteOptional(w, "req", ev.RequestId);
        WriteOptional(w, "trc", ev.TraceId);
        if (ev.Risk != AuditRisk.None)
            w.WriteNumber("r", (int)ev.Risk);
        w.WritePropertyName("a");
        WriteAttributes(w, ev.Attributes);
        w.WriteEndObject();
    }

    /// <summary>The attributes as one JSON object: the warm tier's column and the "a" of the stored form.</summary>
    public static void WriteAttributes(Utf8JsonWriter w, IReadOnlyDictionary<string, string> attributes)
    {
        w.WriteStartObject();
        foreach (var (key, value) in attributes)
            w.WriteString(key, value);
        w.WriteEndObject();
    }

    /// <summary>JSON lines, one event per line: the journal's and the cold segments' body.</summary>
    public static void WriteLines(Stream output, IEnumerable<AuditEvent> events)
    {
        using var w = new Utf8JsonWriter(output);
        foreach (var ev in events)
        {
            Write(w, ev);
            w.Flush();
            output.WriteByte((byte)'\n');
            w.Reset();
        }
    }

    /// <summary>The attributes alone, as the warm tier stores them for text search.</summary>
    public static string AttributesToString(IReadOnlyDictionary<string, string> attributes)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
            WriteAttributes(w, attributes);
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public static Dictionary<string, string> AttributesFromString(string json) =>
        AuditEventJsonReader.ReadAttributes(System.Text.Encoding.UTF8.GetBytes(json));

    public static byte[] ToUtf8(AuditEvent ev)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
            Write(w, ev);
        return buffer.ToArray();
    }

    public static AuditEvent Parse(ReadOnlySpan<byte> utf8) => AuditEventJsonReader.Read(utf8);

    private static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
            w.WriteString(name, value);
    }
}
