using System.CommandLine;
using System.Text.Json;
using Sandboxd.Isolation.Preflight;

namespace Sandboxd.Ctl.Commands;

/// <summary>The daemon's host checks, run here: what each layer needs and whether this host has
/// it. Exits 1 when a required one fails (the daemon would refuse to start).</summary>
internal static class DoctorCommand
{
    public static Command Build()
    {
        var json = CommonOptions.Json();
        var command = new Command("doctor", "check that this host can run sandboxes") { json };
        command.SetAction(result =>
        {
            var checks = HostChecks.Run(InitBinaryPath());
            if (result.GetValue(json))
            {
                Console.WriteLine(ToJson(checks));
            }
            else
            {
                int width = checks.Max(c => c.Name.Length);
                foreach (var c in checks)
                    Console.WriteLine($"{(c.Ok ? "ok  " : c.Required ? "FAIL" : "off ")}  {c.Name.PadRight(width)}  {c.Detail}");
            }
            return HostChecks.AllRequiredOk(checks) ? 0 : 1;
        });
        return command;
    }

    /// <summary>Written field by field: sandboxctl is a NativeAOT binary, where reflection-based
    /// serialization of an anonymous type is not available.</summary>
    private static string ToJson(IReadOnlyList<HostCheck> checks)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var c in checks)
            {
                writer.WriteStartObject();
                writer.WriteString("name", c.Name);
                writer.WriteBoolean("ok", c.Ok);
                writer.WriteBoolean("required", c.Required);
                writer.WriteString("detail", c.Detail);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Beside sandboxctl in a test build; in `make build`'s out/ layout, the daemon's dir;
    /// as `make install` lays it out (PREFIX/bin/sandboxctl), PREFIX/lib/sandboxd.</summary>
    private static string InitBinaryPath()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "sbx-init");
        var installed = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "lib", "sandboxd", "sbx-init"));
        return File.Exists(beside) ? beside
            : File.Exists(installed) ? installed
            : Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "sandboxd", "sbx-init"));
    }
}
