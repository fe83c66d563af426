using Google.Protobuf;
using Grpc.Core;
using Sandboxd.Api.V1;

namespace Sandboxd.Tests.Files;

/// <summary>Whole-file helpers over the streaming calls, for tests.</summary>
public static class FilesClientExtensions
{
    public static async Task<FileEntry> WriteAsync(this Sandboxd.Api.V1.Files.FilesClient files, string id, string path, byte[] data,
        string user = "", bool createParents = false)
    {
        using var call = files.WriteFile(deadline: DateTime.UtcNow.AddSeconds(60));
        await call.RequestStream.WriteAsync(new WriteFileRequest
        {
            Header = new WriteFileHeader { SandboxId = id, Path = path, User = user, CreateParents = createParents },
        });
        try
        {
            // In chunks as a client streams them (one message is at most the server's 4 MiB).
            for (int at = 0; at < data.Length; at += 256 * 1024)
                await call.RequestStream.WriteAsync(new WriteFileRequest { Data = ByteString.CopyFrom(data, at, Math.Min(256 * 1024, data.Length - at)) });
            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // The server ended the call while data was still going: its status is the response's.
        }
        return await call;
    }

    public static async Task<byte[]> ReadAsync(this Sandboxd.Api.V1.Files.FilesClient files, string id, string path, string user = "")
    {
        using var call = files.ReadFile(new ReadFileRequest { SandboxId = id, Path = path, User = user },
            deadline: DateTime.UtcNow.AddSeconds(60));
        var all = new MemoryStream();
        await foreach (var chunk in call.ResponseStream.ReadAllAsync())
            chunk.Data.WriteTo(all);
        return all.ToArray();
    }

    public static async Task<RpcException> RefusedAsync(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (RpcException e)
        {
            return e;
        }
        throw new InvalidOperationException("the call succeeded");
    }
}
