using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Sandboxd.Core.Api;

namespace Sandboxd.Core.Hosting;

/// <summary>`--log-format json`: one JSON object per line on stdout. Each line carries the time
/// (UTC, ISO 8601), level, category, event id, the rendered message, the message's named values,
/// and — when it is written on behalf of an API call — that call's correlation ids (tenant,
/// principal, request_id, trace_id), the same ones its audit events carry.</summary>
public sealed class JsonLineLoggerProvider(Stream output) : ILoggerProvider
{
    private readonly Lock _gate = new();

    public ILogger CreateLogger(string categoryName) => new JsonLineLogger(this, categoryName);

    public void Dispose() => output.Flush();

    private void Write(ReadOnlySpan<byte> line)
    {
        lock (_gate)
        {
            output.Write(line);
            output.Flush();
        }
    }

    private sealed class JsonLineLogger(JsonLineLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
                return;
            var buffer = new ArrayBufferWriter<byte>(256);
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("time", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
                json.WriteString("level", Level(logLevel));
                json.WriteString("category", category);
                json.WriteNumber("event_id", eventId.Id);
                json.WriteString("message", formatter(state, exception));
                if (exception is not null)
                    json.WriteString("exception", exception.ToString());
                if (CallCorrelation.Current is { } call)
                {
                    json.WriteString("tenant", call.Tenant);
                    WriteIfSet(json, "principal", call.Audit.Principal);
                    WriteIfSet(json, "request_id", call.Audit.RequestId);
                    WriteIfSet(json, "trace_id", call.Audit.TraceId);
                }
                if (state is IReadOnlyList<KeyValuePair<string, object?>> values)
                    WriteValues(json, values);
                json.WriteEndObject();
            }
            buffer.Write("\n"u8);
            provider.Write(buffer.WrittenSpan);
        }

        private static void WriteValues(Utf8JsonWriter json, IReadOnlyList<KeyValuePair<string, object?>> values)
        {
            bool any = false;
            foreach (var (key, value) in values)
            {
                if (key == "{OriginalFormat}")
                    continue;
                if (!any)
                {
                    json.WriteStartObject("values");
                    any = true;
                }
                json.WriteString(key, Convert.ToString(value, CultureInfo.InvariantCulture));
            }
            if (any)
                json.WriteEndObject();
        }

        private static void WriteIfSet(Utf8JsonWriter json, string name, string? value)
        {
            if (value is not null)
                json.WriteString(name, value);
        }

        private static string Level(LogLevel level) => level switch
        {
            LogLevel.Trace => "trace",
            LogLevel.Debug => "debug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warning",
            LogLevel.Error => "error",
            _ => "critical",
        };
    }
}
