using System.IO.Pipelines;
using Grpc.Core;
using Sandboxd.Api.V1;
using Sandboxd.Core.Orchestration;
using Sandboxd.Governance.Config;
using Sandboxd.Isolation.Images;

namespace Sandboxd.Core.Api;

/// <summary>sandbox.v1.Images: import (streamed from the client: the daemon never opens a path
/// the client names), list and remove the host's images. Images are per host and shared by every
/// tenant: admins import and remove them, every caller may list and use them.</summary>
public sealed class ImagesService(ImageStore store, Orchestrator orchestrator, ConfigHolder config, TimeProvider clock) : Images.ImagesBase
{
    // The archive is read as it arrives; this much may wait in memory for the unpacker.
    private const long PipePause = 4 << 20, PipeResume = 2 << 20;

    public override async Task<Image> Import(IAsyncStreamReader<ImportImageRequest> requestStream, ServerCallContext context)
    {
        RequireAdmin("import images");
        var cancel = context.CancellationToken;
        if (!await requestStream.MoveNext(cancel).ConfigureAwait(false) || requestStream.Current.PartCase != ImportImageRequest.PartOneofCase.Header)
            throw new InvalidFieldException("header", "the first message must be a header naming the image");
        var name = requestStream.Current.Header.Name;
        if (!ImageStore.IsValidName(name))
            throw new InvalidFieldException("header.name", $"'{Shown(name)}' is not an image name: lowercase letters, digits, '.', '_' and '-', at most 63, " +
                $"starting with a letter or digit; '{ImageStore.DefaultName}' is the built-in image");
        var caps = config.Current.Images;
        var limits = new ImageLimits(caps.MaxBytes, caps.MaxEntries, caps.KeepSetuid);
        // A tar holds its data plus 512-byte headers and padding: twice the unpacked cap is more
        // than any archive within it needs, and stops an endless stream of metadata.
        long maxArchive = caps.MaxBytes > long.MaxValue / 2 ? long.MaxValue : caps.MaxBytes * 2;
        using var import = store.BeginImport(name);
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: PipePause, resumeWriterThreshold: PipeResume, useSynchronizationContext: false));
        var unpack = Task.Run(() =>
        {
            try
            {
                using var archive = pipe.Reader.AsStream();
                var result = import.Unpack(archive, limits, out var format);
                return (result, format);
            }
            finally
            {
                pipe.Reader.Complete();
            }
        }, CancellationToken.None);
        try
        {
            long received = 0;
            while (await requestStream.MoveNext(cancel).ConfigureAwait(false))
            {
                var part = requestStream.Current;
                if (part.PartCase != ImportImageRequest.PartOneofCase.Data)
                    throw new InvalidFieldException("data", "only the first message may be a header");
                received += part.Data.Length;
                if (received > maxArchive)
                    throw new RpcException(new Status(StatusCode.ResourceExhausted,
                        $"archive: more than {maxArchive} bytes sent (twice the images.maxBytes cap of {caps.MaxBytes})"));
                // Completed: the unpacker stopped reading (a refused entry, or the archive's end).
                if ((await pipe.Writer.WriteAsync(part.Data.Memory, cancel).ConfigureAwait(false)).IsCompleted)
                    break;
            }
            await pipe.Writer.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await pipe.Writer.CompleteAsync(e).ConfigureAwait(false);
            try
            {
                await unpack.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The unpacker's error is the echo of this one (its input failed).
            }
            throw;
        }
        var (unpacked, kind) = await unpack.ConfigureAwait(false);
        return ToProto(import.Commit(unpacked, kind, clock.GetUtcNow().ToUnixTimeMilliseconds()));
    }

    public override Task<ListImagesResponse> List(ListImagesRequest request, ServerCallContext context)
    {
        var response = new ListImagesResponse();
        response.Images.AddRange(store.List().Select(ToProto));
        return Task.FromResult(response);
    }

    public override Task<RemoveImageResponse> Remove(RemoveImageRequest request, ServerCallContext context)
    {
        RequireAdmin("remove images");
        if (!ImageStore.IsValidName(request.Name))
            throw new InvalidFieldException("name", $"'{Shown(request.Name)}' is not an imported image's name");
        return Task.FromResult(new RemoveImageResponse { Existed = orchestrator.RemoveImage(request.Name) });
    }

    private static void RequireAdmin(string what)
    {
        if (CallCorrelation.Current?.Principal is { IsAdmin: false } principal)
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"only admins may {what} (principal '{principal.Name}' has no role admin in sandboxd.yaml); every caller may use them"));
    }

    private static Image ToProto(ImageInfo info) => new()
    {
        Name = info.Name,
        SizeBytes = (ulong)info.Bytes,
        Entries = (ulong)info.Entries,
        ImportedUnixMs = info.ImportedUnixMs,
        SetuidStripped = (ulong)info.SetuidStripped,
    };

    private static string Shown(string s) => s.Length <= 64 ? s : s[..64] + "…";
}
