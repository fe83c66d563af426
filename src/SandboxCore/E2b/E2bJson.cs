using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Sandboxd.Core.E2b;

/// <summary>Small JSON helpers for the REST side (Utf8JsonWriter / JsonDocument: no reflection).</summary>
public static class E2bJson
{
    /// <summary>E2B's error body, which its SDK reads the code from: {"code": 404, "message": "..."}.</summary>
    public static async Task WriteErrorAsync(HttpResponse response, int status, string message)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(response.Body);
        json.WriteStartObject();
        json.WriteNumber("code", status);
        json.WriteString("message", message);
        json.WriteEndObject();
    }

    public static async Task WriteAsync(HttpResponse response, int status, Action<Utf8JsonWriter> write)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(response.Body);
        write(json);
    }

    /// <summary>The request's JSON object; an empty body is an empty object.</summary>
    public static async Task<JsonElement> ReadObjectAsync(HttpRequest request, CancellationToken cancel)
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(cancel).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(text))
            return JsonDocument.Parse("{}").RootElement.Clone();
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new Orchestration.InvalidFieldException("body", "must be a JSON object");
            return doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new Orchestration.InvalidFieldException("body", "not JSON: " + e.Message);
        }
    }

    public static string? Text(JsonElement body, string name) =>
        body.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static long? Number(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            return null;
        return v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long n)
            ? n
            : throw new Orchestration.InvalidFieldException(name, "must be an integer");
    }

    public static bool? Bool(JsonElement body, string name) =>
        body.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;

    /// <summary>A {"key": "value"} object; null when absent.</summary>
    public static Dictionary<string, string>? StringMap(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            return null;
        if (v.ValueKind != JsonValueKind.Object)
            throw new Orchestration.InvalidFieldException(name, "must be an object of strings");
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in v.EnumerateObject())
            map[p.Name] = p.Value.ValueKind == JsonValueKind.String
                ? p.Value.GetString()!
                : throw new Orchestration.InvalidFieldException($"{name}.{p.Name}", "must be a string");
        return map;
    }
}
