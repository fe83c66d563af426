using System.Buffers;
using Google.Protobuf;
using Grpc.Core;
using Sandboxd.Api.V1;
using Sandboxd.Core.Orchestration;
using Sandboxd.Isolation.Filesystem;

namespace Sandboxd.Core.Api;

/// <summary>sandbox.v1.Files: each call opens the sandbox's root (Orchestrator.OpenFiles) and
/// resolves its paths inside it (Isolation.Filesystem.SandboxFiles). Data moves in chunks: a
/// transfer holds one chunk of the file in the daemon, whatever its size.</summary>
public sealed class FilesService(Orchestrator orchestrator) : Files.FilesBase
{
    public const int DefaultChunk = 256 * 1024;
    public const int MaxChunk = 1024 * 1024;
    public const int MaxListEntries = 100_000;

    public override Task<FileEntry> Stat(StatRequest request, ServerCallContext context)
    {
        using var files = orchestrator.OpenFiles(request.SandboxId, request.User, out _);
        return Task.FromResult(ToProto(files.Stat(request.Path)));
    }

    public override Task<ListDirResponse> ListDir(ListDirRequest request, ServerCallContext context)
    {
        if (request.Depth > 64)
            throw new InvalidFieldException("depth", "at most 64");
        using var files = orchestrator.OpenFiles(request.SandboxId, request.User, out _);
        var entries = files.List(request.Path, (int)Math.Max(1, request.Depth), MaxListEntries);
        return Task.FromResult(new ListDirResponse { Entries = { entries.Select(ToProto) } });
    }

    public override Task<FileEntry> MakeDir(MakeDirRequest request, ServerCallContext context)
    {
        var mode = Mode("mode", request.Mode, 0x1ED /* 0755 */);
        using var files = orchestrator.OpenFiles(request.SandboxId, request.User, out _);
        return Task.FromResult(ToProto(files.MakeDir(request.Path, request.Parents, mode)));
    }

    public override Task<FileEntry> Move(MoveRequest request, ServerCallContext context)
    {
        using var files = orchestrator.OpenFiles(request.SandboxId, request.User, out _);
        return Task.FromResult(ToProto(files.Move(request.Source, request.Destination, request.Overwrite)));
    }

    public override Task<RemoveResponse> Remove(RemoveRequest request, ServerCallContext context)
    {
        using var files = orchestrator.OpenFiles(request.SandboxId, request.User, out _);
        return Task.FromResult(new RemoveResponse { Removed = files.Remove(request.Path, request.Recursive) });
    }

    public override async Task ReadFile(ReadFileRequest request, IServerStreamWriter<ReadFileChunk> responseStream, ServerCallContext context)
    {
        if (request.ChunkSize > MaxChunk)
            throw new InvalidFieldException("chunk_size", $"at most {MaxChunk}");
        if (request.Offset > long.MaxValue || request.Length > long.MaxValue)
            throw new InvalidFieldException(request.Offset > long.MaxValue ? "offset" : "length", "too large");
        int chunk = request.ChunkSize == 0 ? DefaultChunk : (int)request.ChunkSize;
        using var files = orchestrator.OpenFiles(request.SandboxId, request.User, out _);
        using var file = files.OpenRead(request.Path, out _);
        long offset = (long)request.Offset;
        long left = request.Length == 0 ? long.MaxValue : (long)request.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(chunk);
        try
        {
            while (left > 0)
            {
                int n = SandboxFiles.Read(file, request.Path, buffer.AsSpan(0, (int)Math.Min(chunk, left)), offset);
                if (n == 0)
                    break;
                offset += n;
                left -= n;
                await responseStream.WriteAsync(new ReadFileChunk { Data = ByteString.CopyFrom(buffer, 0, n) }, context.CancellationToken)
                    .ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public override async Task<FileEntry> WriteFile(IAsyncStreamReader<WriteFileRequest> requestStream, ServerCallContext context)
    {
        if (!await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
            throw new InvalidFieldException("header", "the stream is empty; its first message must be a header");
        if (requestStream.Current.PartCase != WriteFileRequest.PartOneofCase.Header)
            throw new InvalidFieldException("header", "the first message must be a header");
        var header = requestStream.Current.Header;
        var mode = Mode("header.mode", header.Mode, 0x1A4 /* 0644 */);
        using var files = orchestrator.OpenFiles(header.SandboxId, header.User, out var live);
        using (var file = files.OpenWrite(header.Path, mode, header.CreateParents, header.Append, out bool created))
        {
            long before = header.Append ? RandomAccess.GetLength(file) : 0;
            var upload = new FileUpload(file, header.Path, live.Record.Limits.DiskBytes);
            try
            {
                while (await requestStream.MoveNext(context.CancellationToken).ConfigureAwait(false))
                {
                    var part = requestStream.Current;
                    if (part.PartCase != WriteFileRequest.PartOneofCase.Data)
                        throw new InvalidFieldException("data", "only the first message may be a header");
                    upload.Write(part.Data.Span);
                }
            }
            catch
            {
                // No partial file: one this call made goes, an append is cut back to where it began
                // (a replaced file stays empty: its old bytes went when it was opened).
                Undo(files, file, header.Path, created, before);
                throw;
            }
        }
        return ToProto(files.Stat(header.Path));
    }

    private static void Undo(SandboxFiles files, Microsoft.Win32.SafeHandles.SafeFileHandle file, string path, bool created, long length)
    {
        try
        {
            if (created)
                files.Remove(path, recursive: false);
            else
                SandboxFiles.Truncate(file, path, length);
        }
        catch (SandboxFileException)
        {
            // Moved or removed from inside meanwhile: nothing of ours to undo there.
        }
    }

    public override Task Watch(WatchRequest request, IServerStreamWriter<WatchEvent> responseStream, ServerCallContext context) =>
        FileWatchStream.RunAsync(orchestrator, request.SandboxId, request.User, request.Path, request.Recursive,
            () => responseStream.WriteAsync(new WatchEvent { Kind = WatchEventKind.Ready, Path = request.Path }, context.CancellationToken),
            (e, dropped) => responseStream.WriteAsync(new WatchEvent
            {
                Kind = e.Kind switch
                {
                    WatchKind.Create => WatchEventKind.Create,
                    WatchKind.Modify => WatchEventKind.Modify,
                    WatchKind.Delete => WatchEventKind.Delete,
                    WatchKind.Move => WatchEventKind.Move,
                    _ => WatchEventKind.Overflow,
                },
                Path = e.Path,
                NewPath = e.NewPath,
                IsDir = e.IsDir,
                Dropped = dropped,
            }, context.CancellationToken), context.CancellationToken);

    private static uint Mode(string field, uint mode, uint fallback) => mode switch
    {
        0 => fallback,
        > 0xFFF => throw new InvalidFieldException(field, $"{Convert.ToString(mode, 8)} is not a permission mode (at most 07777)"),
        _ => mode,
    };

    private static FileEntry ToProto(SandboxFileInfo f) => new()
    {
        Path = f.Path,
        Type = f.Type switch
        {
            SandboxFileType.Regular => FileType.Regular,
            SandboxFileType.Directory => FileType.Directory,
            SandboxFileType.Symlink => FileType.Symlink,
            SandboxFileType.Fifo => FileType.Fifo,
            SandboxFileType.Socket => FileType.Socket,
            SandboxFileType.CharDevice => FileType.CharDevice,
            SandboxFileType.BlockDevice => FileType.BlockDevice,
            _ => FileType.Unspecified,
        },
        Size = f.Size,
        Mode = f.Mode,
        Uid = f.Uid,
        Gid = f.Gid,
        MtimeUnixNs = f.MtimeNs,
        LinkTarget = f.LinkTarget,
    };
}
