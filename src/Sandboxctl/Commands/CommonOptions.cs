using System.CommandLine;
using Google.Protobuf;
using Sandboxd.Api.Client;
using Grpc.Core;

namespace Sandboxd.Ctl.Commands;

/// <summary>Options every command shares, and how every command reports a failure.</summary>
internal static class CommonOptions
{
    public static readonly Option<string> Socket = new("--socket")
    {
        Description = "the daemon's Unix socket",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SANDBOXD_SOCKET") ?? "/run/sandboxd/sandboxd.sock",
        Recursive = true,
    };

    public static Option<bool> Json() => new("--json") { Description = "machine-readable JSON output" };

    // Where this invocation talks to, for the one message that needs it: a CLI runs one command.
    private static string? _socketInUse;
    private static string? _tcpInUse;

    public static SandboxesClient Connect(ParseResult result) => new(Connection(result));

    /// <summary>The daemon's --host TCP listener (TLS with --tls-ca) if given, else its --socket;
    /// remembered so that "cannot reach" can name it.</summary>
    public static SandboxdConnection Connection(ParseResult result)
    {
        if (ConnectionOptions.Tcp(result) is { } tcp)
        {
            _tcpInUse = tcp.Target;
            return tcp;
        }
        _socketInUse = result.GetValue(Socket)!;
        return SandboxdConnection.ForUnixSocket(_socketInUse);
    }

    public static string ToJson(IMessage message) =>
        new JsonFormatter(JsonFormatter.Settings.Default.WithFormatDefaultValues(true)).Format(message);

    /// <summary>One message on one line (JSON lines), field names as in the proto's JSON mapping.</summary>
    public static string ToJsonLine(IMessage message) => JsonFormatter.Default.Format(message);

    private static string Unreachable(RpcException e)
    {
        if (_tcpInUse is null && _socketInUse is { } socket && !File.Exists(socket))
            return $"no socket at {socket} (is sandboxd running? `make run` starts it)";
        Exception? inner = e.Status.DebugException;
        while (inner?.InnerException is not null)
            inner = inner.InnerException;
        return $"{_tcpInUse ?? _socketInUse}: {inner?.Message ?? e.Status.Detail}";
    }

    /// <summary>Runs a command body; a gRPC error goes to stderr with a non-zero exit.</summary>
    public static async Task<int> Run(Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            // A bad option value (a --since that is no time, an unknown --kind): a usage error.
            await Console.Error.WriteLineAsync($"sandboxctl: {e.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable
            || (e.StatusCode == StatusCode.Internal && e.Status.DebugException is HttpRequestException))
        {
            await Console.Error.WriteLineAsync($"sandboxctl: cannot reach sandboxd: {Unreachable(e)}").ConfigureAwait(false);
            return 1;
        }
        catch (RpcException e)
        {
            await Console.Error.WriteLineAsync($"sandboxctl: {e.StatusCode}: {e.Status.Detail}").ConfigureAwait(false);
            return e.StatusCode switch
            {
                StatusCode.NotFound when e.Status.Detail.StartsWith("command", StringComparison.Ordinal) => 127,
                StatusCode.PermissionDenied => 126,
                _ => 1,
            };
        }
    }
}
