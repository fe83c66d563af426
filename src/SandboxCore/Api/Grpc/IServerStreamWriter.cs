namespace Sandboxd.Core.Api.Grpc;

/// <summary>Sends the messages of a server-streaming call. Each write is flushed, so the client
/// sees output as it is produced; writes may come from several tasks at once.</summary>
public interface IServerStreamWriter<in T>
{
    Task WriteAsync(T message);
}
