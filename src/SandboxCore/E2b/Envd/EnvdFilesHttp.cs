using System.Buffers;
using System.IO.Compression;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using Sandboxd.Core.Api;
using Sandboxd.Core.Orchestration;
using Sandboxd.Isolation.Filesystem;

namespace Sandboxd.Core.E2b.Envd;

/// <summary>envd's plain HTTP file routes: GET /files streams a file's bytes, POST /files writes
/// one (application/octet-stream, gzip allowed) or several (multipart, field "file", each part's
/// file name its path when the query has none), answering [{path, name, type}]. Data moves in
/// chunks through the same sandbox file handle and disk budget as the Files service.</summary>
public sealed partial class EnvdFilesHttp(Orchestrator orchestrator, ILogger<EnvdFilesHttp> log)
{
    private const int Chunk = 256 * 1024;

    public async Task ReadAsync(HttpContext context)
    {
        var (path, user) = PathAndUser(context.Request);
        try
        {
            using var files = orchestrator.OpenFiles(EnvdCall.Of(context).SandboxId, user, out _);
            using var file = files.OpenRead(path, out ulong size);
            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength = (long)size;
            context.Response.Headers.ContentDisposition = new ContentDispositionHeaderValue("inline") { FileNameStar = EntryInfoMapping.Name(path) }.ToString();
            var buffer = ArrayPool<byte>.Shared.Rent(Chunk);
            try
            {
                long offset = 0;
                while (offset < (long)size)
                {
                    int n = SandboxFiles.Read(file, path, buffer.AsSpan(0, (int)Math.Min(Chunk, (long)size - offset)), offset);
                    if (n == 0)
                        break;
                    offset += n;
                    await context.Response.Body.WriteAsync(buffer.AsMemory(0, n), context.RequestAborted).ConfigureAwait(false);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        catch (Exception e) when (!context.Response.HasStarted && e is not OperationCanceledException)
        {
            await FailAsync(context, e).ConfigureAwait(false);
        }
    }

    public async Task WriteAsync(HttpContext context)
    {
        var request = context.Request;
        string queryPath = request.Query["path"].ToString();
        string user = EnvdCall.SandboxUser(request.Query["username"].ToString());
        var written = new List<string>();
        try
        {
            using var files = orchestrator.OpenFiles(EnvdCall.Of(context).SandboxId, user, out var live);
            long budget = live.Record.Limits.DiskBytes;
            if (MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            {
                var boundary = HeaderUtilities.RemoveQuotes(type.Boundary).ToString();
                if (boundary.Length == 0)
                    throw new InvalidFieldException("content-type", "multipart without a boundary");
                var reader = new MultipartReader(boundary, request.Body);
                while (await reader.ReadNextSectionAsync(context.RequestAborted).ConfigureAwait(false) is { } section)
                {
                    if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                        || !string.Equals(HeaderUtilities.RemoveQuotes(disposition.Name).ToString(), "file", StringComparison.Ordinal))
                        continue;
                    var name = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).ToString();
                    var target = queryPath.Length > 0 ? queryPath : name;
                    if (target.Length == 0)
                        throw new InvalidFieldException("path", "required (in the query or as the part's file name)");
                    written.Add(await WriteOneAsync(files, EnvdCall.Absolute(target, user), section.Body, budget, context.RequestAborted).ConfigureAwait(false));
                }
            }
            else
            {
                if (queryPath.Length == 0)
                    throw new InvalidFieldException("path", "required");
                var body = string.Equals(request.Headers.ContentEncoding.ToString(), "gzip", StringComparison.OrdinalIgnoreCase)
                    ? new GZipStream(request.Body, CompressionMode.Decompress)
                    : request.Body;
                written.Add(await WriteOneAsync(files, EnvdCall.Absolute(queryPath, user), body, budget, context.RequestAborted).ConfigureAwait(false));
            }
        }
        catch (Exception e) when (!context.Response.HasStarted && e is not OperationCanceledException)
        {
            await FailAsync(context, e).ConfigureAwait(false);
            return;
        }
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartArray();
        foreach (var path in written)
        {
            json.WriteStartObject();
            json.WriteString("path", path);
            json.WriteString("name", EntryInfoMapping.Name(path));
            json.WriteString("type", "file");
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static async Task<string> WriteOneAsync(SandboxFiles files, string path, Stream body, long budget, CancellationToken cancel)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Chunk);
        try
        {
            using var file = files.OpenWrite(path, 0x1A4 /* 0644 */, createParents: true, append: false, out _);
            var upload = new FileUpload(file, path, budget);
            int n;
            while ((n = await body.ReadAsync(buffer.AsMemory(0, Chunk), cancel).ConfigureAwait(false)) > 0)
                upload.Write(buffer.AsSpan(0, n));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return path;
    }

    /// <summary>The query's path (relative ones under the user's home) and user.</summary>
    private static (string Path, string User) PathAndUser(HttpRequest request)
    {
        string user = EnvdCall.SandboxUser(request.Query["username"].ToString());
        string path = request.Query["path"].ToString();
        if (path.Length == 0)
            throw new InvalidFieldException("path", "required");
        return (EnvdCall.Absolute(path, user), user);
    }

    /// <summary>envd's error body: {"code": 404, "message": "..."}.</summary>
    private async Task FailAsync(HttpContext context, Exception e)
    {
        var error = E2bError.From(e);
        if (!error.IsKnown)
            LogFailed(log, context.Request.Path, e);
        await E2bJson.WriteErrorAsync(context.Response, error.EnvdHttpStatus, error.Message).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 902, Level = LogLevel.Error, Message = "e2b file call {Path} failed")]
    private static partial void LogFailed(ILogger log, string path, Exception e);
}
